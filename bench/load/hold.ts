/**
 * @module bench/load/hold
 * Load generator for scenario (e), run as its own process on the load core: opens and holds idle
 * tunnels (CONNECT + full TLS handshake, so Cordon's SNI check passes and the upstream leg exists),
 * counts what happened to every attempt, and probes whether the proxy still serves a normal request.
 * Prints `"ready"`, then answers one JSON line per JSON command on stdin:
 * - `{"cmd":"open","count":N,"retry":true}`: open until N are held (failures retried, up to a cap);
 *   with `retry: false`, make exactly N more attempts. → `{"held":H,"outcomes":{...},"seconds":S}`
 * - `{"cmd":"held"}`: how many held tunnels are still open. → `{"held":H}`
 * - `{"cmd":"probe"}`: one CONNECT + TLS + GET and one plain GET. → `{"tls":"ok","http":"ok"}`
 * - `{"cmd":"close"}`: close every held tunnel and wait for it. → `{"closed":N}`
 * Exits at the end of stdin.
 */
import { performance } from 'node:perf_hooks';
import type { TLSSocket } from 'node:tls';
import { proxiedGet, tunnelGet } from './http-ops.js';
import { count, outcomeOf, type Tally } from './outcome.js';
import { emit, handshake, openTunnel, stdinLines, type LoadTarget } from './raw.js';

export interface HoldLoadOptions extends LoadTarget {
  proxyPort: number;
  /** The origin's plain HTTP port, for the probe's GET. */
  httpPort: number;
  concurrency: number;
}

export type HoldCommand =
  { cmd: 'open'; count: number; retry: boolean } | { cmd: 'held' } | { cmd: 'probe' } | { cmd: 'close' };

export interface OpenResult {
  held: number;
  outcomes: Tally;
  seconds: number;
}

// With retries on, give up after this many failures: the proxy is refusing, and the report says so.
const MAX_FAILURES = 200;

const opts = JSON.parse(process.argv[2] ?? '{}') as HoldLoadOptions;
const held = new Set<TLSSocket>();

async function openOne(outcomes: Tally): Promise<boolean> {
  try {
    const s = await handshake(opts, await openTunnel(opts));
    s.on('error', () => undefined);
    held.add(s);
    s.once('close', () => held.delete(s));
    count(outcomes, 'ok');
    return true;
  } catch (e: unknown) {
    count(outcomes, outcomeOf(e));
    return false;
  }
}

async function open(n: number, retry: boolean): Promise<OpenResult> {
  const outcomes: Tally = {};
  const t0 = performance.now();
  let wanted = retry ? n - held.size : n;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (wanted > 0 && failed < MAX_FAILURES) {
      wanted--;
      if (await openOne(outcomes)) continue;
      if (!retry) continue;
      failed++;
      wanted++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { held: held.size, outcomes, seconds: (performance.now() - t0) / 1000 };
}

async function closeAll(): Promise<{ closed: number }> {
  const all = [...held];
  await Promise.all(
    all.map(
      (s) =>
        new Promise<void>((resolve) => {
          s.once('close', () => resolve());
          s.destroy();
        }),
    ),
  );
  return { closed: all.length };
}

async function probe(): Promise<{ tls: string; http: string }> {
  const url = `http://${opts.originHost}:${opts.httpPort}/small`;
  return {
    tls: await tunnelGet(opts),
    http: await proxiedGet({ proxyPort: opts.proxyPort, url, expect: 200 }),
  };
}

async function run(c: HoldCommand): Promise<unknown> {
  switch (c.cmd) {
    case 'open':
      return open(c.count, c.retry);
    case 'held':
      return { held: held.size };
    case 'probe':
      return probe();
    case 'close':
      return closeAll();
  }
}

const next = stdinLines();
emit('ready');
for (let line = await next(); line !== null; line = await next()) {
  emit(await run(JSON.parse(line) as HoldCommand));
}
process.exit(0);
