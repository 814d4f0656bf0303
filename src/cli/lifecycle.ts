/**
 * @module cli/lifecycle
 * `cordon lifecycle` prints the SageMaker on-start script (or applies it under `--root`), and
 * `cordon doctor`, run inside a notebook, checks that every client would use the proxy and that
 * direct egress is closed. Logic lives in src/lifecycle.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { formatDoctor, lifecycleScript, probeProxy, runDoctor } from '../lifecycle/index.js';
import { CordonError } from '../errors.js';
import { CLI_ERRORS, fail, parse } from './args.js';

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function runLifecycle(args: string[]): Promise<number> {
  return Promise.resolve(lifecycle(args));
}

function lifecycle(args: string[]): number {
  try {
    const { values } = parse(
      args,
      {
        proxy: { type: 'string' },
        'no-proxy': { type: 'string' },
        'ca-file': { type: 'string' },
        root: { type: 'string' },
        apply: { type: 'boolean', default: false },
      },
      'lifecycle',
    );
    if (values.proxy === undefined) {
      throw new CordonError(
        CLI_ERRORS.usage,
        'usage: cordon lifecycle --proxy http://HOST:3128 [--no-proxy LIST] [--ca-file PEM] [--root DIR [--apply]]',
      );
    }
    const caPem = values['ca-file'] === undefined ? undefined : readFileSync(values['ca-file'], 'utf8');
    const script = lifecycleScript({
      proxy: values.proxy,
      noProxy: list(values['no-proxy']),
      caPem,
      root: values.root,
    });
    if (values.apply) {
      // Apply to a directory tree (the lab's notebook root): run the very script we print.
      execFileSync('bash', ['-s'], { input: script, stdio: ['pipe', 'inherit', 'inherit'] });
      return 0;
    }
    process.stdout.write(script);
    return 0;
  } catch (e: unknown) {
    return fail(e);
  }
}

export async function runDoctorCommand(args: string[]): Promise<number> {
  try {
    const { values } = parse(args, { root: { type: 'string' }, direct: { type: 'string' } }, 'doctor');
    const checks = await runDoctor({
      env: process.env,
      home: homedir(),
      root: values.root,
      probe: probeProxy,
      directProbe: list(values.direct),
    });
    console.log(formatDoctor(checks));
    return checks.every((c) => c.ok) ? 0 : 1;
  } catch (e: unknown) {
    return fail(e);
  }
}
