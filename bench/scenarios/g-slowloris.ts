/**
 * @module bench/scenarios/g-slowloris
 * Scenario (g): slowloris alongside real traffic. For each proxy and repetition a fresh process with
 * the benchmark's default config is warmed with wrk, then measured with wrk (as in (a)) without a
 * flood; then bench/load/slow.ts opens 2,000 connections from 127.0.0.2 that dribble an endless
 * request header, and wrk runs again while they hang on. Per run: req/s and p99 with and without
 * the flood, RSS growth with the flood, how many slow connections the proxy kept or closed.
 */
import type { SlowLoadOptions, SlowStats } from '../load/slow.js';
import { tallyText } from '../load/outcome.js';
import { runWrk, type WrkResult } from '../load/wrk.js';
import { ORIGIN_HOST } from '../origin-spec.js';
import type { Proc } from '../procs.js';
import {
  PROXIES,
  type BenchContext,
  type ProxyName,
  type ProxyUnderTest,
  type Samples,
  type ScenarioResult,
} from '../types.js';
import { parseLine, push, rotated, startLoader } from './common.js';
import { settledRss, SETTLE_BUSY } from './settle.js';

export const SLOW_CONNECTIONS = 2000;
const WRK_CONNECTIONS = 50;
const DRIBBLE_MS = 1000;
// The flood's own client address: a per-client cap should meet the flood, not the real traffic.
const FLOOD_ADDRESS = '127.0.0.2';

interface RunFigures {
  base: WrkResult;
  flood: WrkResult;
  rssBeforeKiB: number;
  rssFloodKiB: number;
  opened: number;
  stats: SlowStats;
}

async function measure(ctx: BenchContext, proxy: ProxyUnderTest, wrkBin: string): Promise<RunFigures> {
  const host = `${ORIGIN_HOST}:${ctx.origin.httpPort}`;
  const wrk = (seconds: number): Promise<WrkResult> =>
    runWrk({
      procs: ctx.procs,
      root: ctx.root,
      wrkBin,
      core: ctx.cores.load,
      port: proxy.port,
      path: `http://${host}/small`,
      hostHeader: host,
      connections: WRK_CONNECTIONS,
      seconds,
    });
  const seconds = ctx.opts.quick ? 3 : 6;
  await wrk(1); // warm-up: JIT, upstream pool
  const base = await wrk(seconds);
  const rssBeforeKiB = await settledRss(proxy.pid, SETTLE_BUSY);
  const options: SlowLoadOptions = {
    proxyPort: proxy.port,
    authority: host,
    connections: SLOW_CONNECTIONS,
    dribbleMs: DRIBBLE_MS,
    localAddress: FLOOD_ADDRESS,
  };
  const slow: Proc = await startLoader(ctx, 'slow', options);
  try {
    slow.child.stdin?.write('open\n');
    const { open: opened } = parseLine<{ open: number }>(slow, await slow.nextLine(120_000));
    const flood = await wrk(seconds);
    // With the flood still on: what 2,000 pending requests and a busy run cost on top of the warm process.
    const rssFloodKiB = await settledRss(proxy.pid, SETTLE_BUSY);
    slow.child.stdin?.write('stats\n');
    const stats = parseLine<SlowStats>(slow, await slow.nextLine(10_000));
    return { base, flood, rssBeforeKiB, rssFloodKiB, opened, stats };
  } finally {
    slow.child.stdin?.end();
    await slow.exited;
  }
}

function errorsOf(name: ProxyName, f: RunFigures): string[] {
  const out: string[] = [];
  for (const [when, r] of [
    ['without flood', f.base],
    ['with flood', f.flood],
  ] as const) {
    if (r.errors > 0) out.push(`(g) ${name} ${when}: ${r.errors} failed of ${r.requests} (${r.errorDetail})`);
  }
  return out;
}

export async function runSlowloris(ctx: BenchContext, wrkBin: string): Promise<ScenarioResult> {
  const samples: Samples = {};
  const errors: string[] = [];
  const notes: string[] = [];
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const name of rotated<ProxyName>(PROXIES, rep)) {
      ctx.log(`(g) slowloris: ${name}, repetition ${rep + 1} (fresh process)`);
      const proxy = await ctx.startProxy(name);
      let f: RunFigures;
      try {
        f = await measure(ctx, proxy, wrkBin);
      } finally {
        await proxy.stop();
      }
      errors.push(...errorsOf(name, f));
      notes.push(
        `- ${name}, repetition ${rep + 1}: ${f.opened.toLocaleString('en-US')} slow connections opened; ` +
          `at the end ${f.stats.open.toLocaleString('en-US')} open, ${f.stats.closed.toLocaleString('en-US')} ` +
          `closed by the proxy (answers: ${tallyText(f.stats.answers)}).`,
      );
      push(samples, name, rep, {
        slowRpsBase: f.base.rps,
        slowRpsFlood: f.flood.rps,
        slowRpsKept: f.flood.rps / f.base.rps,
        slowP99Base: f.base.p99Ms,
        slowP99Flood: f.flood.p99Ms,
        slowErrors: f.base.errors + f.flood.errors,
        slowOpen: f.stats.open,
        slowClosed: f.stats.closed,
        slowRssGrowthMiB: (f.rssFloodKiB - f.rssBeforeKiB) / 1024,
        slowPerConnKiB: (f.rssFloodKiB - f.rssBeforeKiB) / Math.max(1, f.opened),
      });
    }
  }
  return {
    id: 'g',
    samples,
    errors,
    details: [{ title: '(g) Slow connections', markdown: notes.join('\n') }],
  };
}
