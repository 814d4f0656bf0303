/**
 * @module cli/lint
 * `cordon lint`: validate the config and every allowlist file, print errors and warnings about
 * risky entries with the fix for each. Exit 1 on errors, 0 otherwise.
 */
import { loadConfig } from '../config/load.js';
import { lintConfig } from '../config/lint.js';
import { ConfigError } from '../config/errors.js';
import { fail, parse } from './args.js';

export async function runLint(args: string[]): Promise<number> {
  try {
    const { values } = parse(args, { config: { type: 'string', short: 'c' } }, 'lint');
    let loaded;
    try {
      loaded = loadConfig(values.config);
    } catch (e: unknown) {
      if (e instanceof ConfigError) {
        console.log(e.message);
        return Promise.resolve(1);
      }
      throw e;
    }
    const findings = lintConfig(loaded);
    for (const f of findings) {
      console.log(`${f.level}: ${f.source}: ${f.entry}: ${f.message}${f.fix ? ` — fix: ${f.fix}` : ''}`);
    }
    const errors = findings.filter((f) => f.level === 'error').length;
    console.log(
      `${loaded.path ?? 'built-in config'}: ${errors} error(s), ${findings.length - errors} warning(s)`,
    );
    return Promise.resolve(errors > 0 ? 1 : 0);
  } catch (e: unknown) {
    return Promise.resolve(fail(e));
  }
}
