/**
 * @module bench/load/idle
 * Load generator for scenario (d), run as its own process: opens tunnels (CONNECT + full TLS
 * handshake, so Cordon's SNI check passes and the upstream leg exists) and leaves them idle. Prints
 * `"ready"` and waits for `go`; then for each stage count it opens tunnels until that many are up, prints `{"open":N,"errors":E}` and waits for
 * `next` on stdin; after the last stage's `next` it closes everything and exits.
 */
import type { TLSSocket } from 'node:tls';
import { emit, handshake, openTunnel, stdinLines, type LoadTarget } from './raw.js';

export interface IdleLoadOptions extends LoadTarget {
  stages: number[];
  concurrency: number;
}

// Give up on a stage after this many failures: the proxy is refusing, and the report will say so.
const MAX_ERRORS = 100;

async function openUpTo(o: IdleLoadOptions, open: TLSSocket[], target: number): Promise<number> {
  let errors = 0;
  let wanted = target - open.length;
  const worker = async (): Promise<void> => {
    while (wanted > 0 && errors < MAX_ERRORS) {
      wanted--;
      try {
        const s = await handshake(o, await openTunnel(o));
        s.on('error', () => undefined);
        open.push(s);
      } catch {
        errors++;
        wanted++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return errors;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as IdleLoadOptions;
const next = stdinLines();
const open: TLSSocket[] = [];
emit('ready');
await next();
for (const stage of opts.stages) {
  const errors = await openUpTo(opts, open, stage);
  emit({ open: open.filter((s) => !s.destroyed).length, errors });
  await next();
}
for (const s of open) s.destroy();
process.exit(0);
