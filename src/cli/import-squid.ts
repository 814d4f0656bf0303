/**
 * @module cli/import-squid
 * `cordon import-squid squid.conf [--out DIR]`: convert a classic squid allowlist setup into
 * cordon.yaml plus allowlist files, and list every line that could not be mapped.
 */
import { resolve } from 'node:path';
import { importSquid, writeImport } from '../config/import-squid.js';
import { CordonError } from '../errors.js';
import { CLI_ERRORS, fail, parse } from './args.js';

export async function runImportSquid(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(
      args,
      { out: { type: 'string', short: 'o', default: '.' }, force: { type: 'boolean', default: false } },
      'import-squid',
    );
    const conf = positionals[0];
    if (conf === undefined)
      throw new CordonError(CLI_ERRORS.usage, 'usage: cordon import-squid <squid.conf> [--out DIR]');
    const result = importSquid(resolve(conf));
    const outDir = resolve(values.out ?? '.');
    const written = writeImport(result, outDir, { force: values.force ?? false });
    for (const f of written) console.log(`wrote ${f}`);
    if (result.unmapped.length > 0) {
      console.log(`\n${result.unmapped.length} line(s) not mapped:`);
      for (const u of result.unmapped) console.log(`  ${conf}:${u.line}: ${u.text}\n    ${u.why}`);
    }
    console.log(`\nNext: cordon lint --config ${resolve(outDir, 'cordon.yaml')}`);
    return Promise.resolve(0);
  } catch (e: unknown) {
    return Promise.resolve(fail(e));
  }
}
