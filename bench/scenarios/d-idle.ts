/**
 * @module bench/scenarios/d-idle
 * Scenario (d): memory with idle tunnels. For each repetition and proxy (Cordon, squid and the Node
 * floor), a fresh proxy process is started, bench/load/idle.ts opens 10 tunnels (CONNECT + TLS
 * handshake) and then 1,000, and the proxy's RSS (VmRSS of its process tree) is read once it has
 * settled at each count.
 */
import type { ProxyUnderTest } from '../types.js';
import type { IdleLoadOptions } from '../load/idle.js';
import { ORIGIN_HOST } from '../origin-spec.js';
import { rssKiB } from '../stats.js';
import { PROXIES, type BenchContext, type ProxyName, type Samples, type ScenarioResult } from '../types.js';
import { parseLine, push, rotated, startLoader } from './common.js';

const STAGES = [10, 1000] as const;
const SETTLE_POLL_MS = 250;
const SETTLE_DEADLINE_MS = 5000;

/** RSS once two reads a poll apart differ by under 1% (GC and allocator settling), or at the deadline. */
async function settledRss(pid: number): Promise<number> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  let prev = rssKiB(pid);
  for (;;) {
    await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
    const now = rssKiB(pid);
    if (Math.abs(now - prev) < prev * 0.01 || Date.now() > deadline) return now;
    prev = now;
  }
}

async function measureOne(
  ctx: BenchContext,
  proxy: ProxyUnderTest,
): Promise<{ rss: number[]; errors: string[] }> {
  const options: IdleLoadOptions = {
    stages: [...STAGES],
    concurrency: 50,
    proxyPort: proxy.port,
    originHost: ORIGIN_HOST,
    originPort: ctx.origin.httpsPort,
    caFile: ctx.origin.caFile,
  };
  const loader = await startLoader(ctx, 'idle', options);
  loader.child.stdin?.write('go\n');
  const rss: number[] = [];
  const errors: string[] = [];
  for (const stage of STAGES) {
    const got = parseLine<{ open: number; errors: number }>(loader, await loader.nextLine(120_000));
    if (got.open !== stage || got.errors > 0) {
      errors.push(`(d) ${proxy.name}: wanted ${stage} tunnels, ${got.open} open, ${got.errors} failed`);
    }
    rss.push(await settledRss(proxy.pid));
    loader.child.stdin?.write('next\n');
  }
  await loader.exited;
  return { rss, errors };
}

export async function runIdle(ctx: BenchContext): Promise<ScenarioResult> {
  const samples: Samples = {};
  const errors: string[] = [];
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const name of rotated<ProxyName | 'floor'>([...PROXIES, 'floor'], rep)) {
      ctx.log(`(d) idle tunnels: ${name}, repetition ${rep + 1} (fresh process)`);
      const proxy = name === 'floor' ? await ctx.startFloor() : await ctx.startProxy(name);
      try {
        const { rss, errors: e } = await measureOne(ctx, proxy);
        errors.push(...e);
        const [base = Number.NaN, full = Number.NaN] = rss;
        push(samples, name, rep, {
          rss10MiB: base / 1024,
          rss1000MiB: full / 1024,
          perTunnelKiB: (full - base) / (STAGES[1] - STAGES[0]),
        });
      } finally {
        await proxy.stop();
      }
    }
  }
  return { id: 'd', samples, errors };
}
