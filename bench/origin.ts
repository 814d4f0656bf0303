/**
 * @module bench/origin
 * Starts the origin process for a benchmark run: makes a test CA and a certificate for
 * `origin.bench` (test/support/ca.ts), writes them to the run's temp folder, spawns
 * bench/origin-server.ts pinned to the server core and reads its ports.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestCa } from '../test/support/ca.js';
import { benchError, BENCH_ERRORS } from './errors.js';
import { ORIGIN_HOST } from './origin-spec.js';
import type { Proc, ProcSet } from './procs.js';

export { ORIGIN_HOST } from './origin-spec.js';

export interface Origin {
  readonly proc: Proc;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** PEM file of the CA that signed the origin's certificate. */
  readonly caFile: string;
}

export async function startOrigin(procs: ProcSet, dir: string, root: string, core?: number): Promise<Origin> {
  const ca = await createTestCa('Cordon Bench CA');
  const leaf = await ca.issue([ORIGIN_HOST]);
  const caFile = join(dir, 'ca.pem');
  const cert = join(dir, 'origin.pem');
  const key = join(dir, 'origin-key.pem');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(cert, leaf.cert);
  writeFileSync(key, leaf.key, { mode: 0o600 });
  const proc = procs.spawn(
    'origin',
    [
      process.execPath,
      '--import',
      'tsx',
      join(root, 'bench/origin-server.ts'),
      JSON.stringify({ cert, key }),
    ],
    { core, cwd: root },
  );
  const line = await proc.nextLine(30_000);
  try {
    const ports = JSON.parse(line) as { http: number; https: number };
    return { proc, httpPort: ports.http, httpsPort: ports.https, caFile };
  } catch (e: unknown) {
    throw benchError(BENCH_ERRORS.BAD_OUTPUT, `origin printed ${JSON.stringify(line)}`, e);
  }
}
