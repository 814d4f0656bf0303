/**
 * @module bench/load/wrk
 * Scenario (a)'s load generator: runs Debian's `wrk` (one thread, fixed connections and duration,
 * `--latency`) with bench/config/absolute-form.lua, so that through a proxy every request is
 * `GET http://origin.bench:PORT/small HTTP/1.1` over keep-alive; and parses what wrk prints.
 */
import { join } from 'node:path';
import { benchError, BENCH_ERRORS } from '../errors.js';
import type { ProcSet } from '../procs.js';

export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx answers plus socket errors (connect, read, write, timeout). */
  errors: number;
  /** wrk's own lines about the errors, for the report. */
  errorDetail: string;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function duration(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text ?? '');
  return m ? Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? Number.NaN) : Number.NaN;
}

/** Read wrk's summary (with `--latency`); throws when the numbers are not there. */
export function parseWrk(out: string): WrkResult {
  const req = /(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(out);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out);
  const p99 = /^\s+99%\s+(\S+)/m.exec(out);
  if (!req || !rps || !p50 || !p99)
    throw benchError(BENCH_ERRORS.BAD_OUTPUT, `unreadable wrk output:\n${out}`);
  const non2xxLine = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  const non2xx = Number(non2xxLine?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const sockErrors = sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    requests: Number(req[1]),
    seconds: duration(`${req[2]}${req[3]}`) / 1000,
    rps: Number(rps[1]),
    p50Ms: duration(p50[1]),
    p99Ms: duration(p99[1]),
    errors: non2xx + sockErrors,
    errorDetail: [sock?.[0], non2xxLine?.[0]].filter((x) => x !== undefined).join('; '),
  };
}

export interface WrkOptions {
  procs: ProcSet;
  root: string;
  wrkBin: string;
  core: number | undefined;
  /** Port wrk connects to: the proxy's, or the origin's for the direct run. */
  port: number;
  /** Request target: absolute form through a proxy, `/small` direct. */
  path: string;
  hostHeader: string;
  connections: number;
  seconds: number;
}

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const argv = [
    o.wrkBin,
    '-t1',
    `-c${o.connections}`,
    `-d${o.seconds}s`,
    '--latency',
    '-s',
    join(o.root, 'bench/config/absolute-form.lua'),
    `http://127.0.0.1:${o.port}/`,
  ];
  const env = { ...process.env, BENCH_PATH: o.path, BENCH_HOST: o.hostHeader };
  const r = await o.procs.run('wrk', argv, (o.seconds + 30) * 1000, { core: o.core, env });
  if (r.code !== 0) throw benchError(BENCH_ERRORS.PROCESS_FAILED, `wrk exited ${r.code}:\n${r.stderr}`);
  return parseWrk(r.stdout);
}
