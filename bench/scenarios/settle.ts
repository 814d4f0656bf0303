/**
 * @module bench/scenarios/settle
 * Reading a proxy's RSS once it has settled (GC and the allocator done with what just happened),
 * and talking to a load generator that answers one JSON line per JSON command. Reads /proc only.
 */
import type { HoldLoadOptions } from '../load/hold.js';
import { ORIGIN_HOST } from '../origin-spec.js';
import type { Proc } from '../procs.js';
import { rssKiB } from '../stats.js';
import type { BenchContext, ProxyUnderTest } from '../types.js';
import { parseLine } from './common.js';

export interface SettleOptions {
  pollMs: number;
  deadlineMs: number;
  /** Consecutive reads within 1% of each other that count as settled. */
  stableReads: number;
}

/** After a burst of work: quick polls, settled within a few seconds. */
export const SETTLE_BUSY: SettleOptions = { pollMs: 250, deadlineMs: 5000, stableReads: 2 };
/**
 * After everything closed: V8 gives memory back only after a few idle GCs (its memory reducer
 * runs seconds apart), so wait for a long flat stretch, up to half a minute.
 */
export const SETTLE_IDLE: SettleOptions = { pollMs: 1000, deadlineMs: 30_000, stableReads: 5 };

/** RSS (KiB) once `stableReads` reads a poll apart stay within 1%, or at the deadline. */
export async function settledRss(pid: number, o: SettleOptions): Promise<number> {
  const deadline = Date.now() + o.deadlineMs;
  let prev = rssKiB(pid);
  let stable = 1;
  for (;;) {
    await new Promise((r) => setTimeout(r, o.pollMs));
    const now = rssKiB(pid);
    stable = Math.abs(now - prev) < prev * 0.01 ? stable + 1 : 1;
    prev = now;
    if (stable >= o.stableReads || Date.now() > deadline) return now;
  }
}

/**
 * After everything closed, RSS read every second until it is back within `factor` of `baseKiB` or
 * the deadline passes: the last read, and the seconds it took (NaN when it never came back).
 * Waiting on the value and not on a flat stretch: Cordon's RSS stays flat for up to a minute or two
 * after 9,000 tunnels close and then drops back in one step (V8's next full GC).
 */
export async function returnedRss(
  pid: number,
  baseKiB: number,
  factor: number,
  deadlineMs: number,
): Promise<{ kib: number; seconds: number }> {
  const t0 = Date.now();
  for (;;) {
    const kib = rssKiB(pid);
    if (kib <= baseKiB * factor) return { kib, seconds: (Date.now() - t0) / 1000 };
    if (Date.now() - t0 > deadlineMs) return { kib, seconds: Number.NaN };
    await new Promise((r) => setTimeout(r, 1000)); // poll interval, bounded by the deadline above
  }
}

/** Send one command line to a load generator and read its one-line JSON answer. */
export async function ask<T>(loader: Proc, command: unknown, timeoutMs: number): Promise<T> {
  loader.child.stdin?.write(`${JSON.stringify(command)}\n`);
  return parseLine<T>(loader, await loader.nextLine(timeoutMs));
}

/** Options of bench/load/hold.ts for tunnels through `proxy` to the origin's TLS port. */
export function holdLoaderOptions(
  ctx: BenchContext,
  proxy: ProxyUnderTest,
  concurrency: number,
): HoldLoadOptions {
  return {
    proxyPort: proxy.port,
    httpPort: ctx.origin.httpPort,
    originHost: ORIGIN_HOST,
    originPort: ctx.origin.httpsPort,
    caFile: ctx.origin.caFile,
    concurrency,
  };
}
