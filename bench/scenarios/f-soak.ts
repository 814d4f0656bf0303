/**
 * @module bench/scenarios/f-soak
 * Scenario (f): the mixed soak. A fresh Cordon and a fresh squid (benchmark config) run side by
 * side for `--soak-minutes` (10 by default, 1 with --quick), each driven by its own
 * bench/load/soak.ts at the same fixed rates; at the end of every interval (a minute, or 10 s for
 * soaks under 6 minutes) the harness reads each proxy's RSS beside the loader's counts. Reported:
 * operations, errors and their growth (last interval against the first), and leak figures after
 * the warm-up (RSS slope per minute, final RSS against RSS after the warm-up). Both proxies share the
 * server core for the whole soak; at these rates neither comes close to filling it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SoakInterval, SoakLoadOptions } from '../load/soak.js';
import { tallyText, type Tally } from '../load/outcome.js';
import { ORIGIN_HOST } from '../origin-spec.js';
import type { Proc } from '../procs.js';
import { clock, soakIntervals, soakTimeline, summarizeSoak, type SoakPoint } from '../soak-stats.js';
import { rssKiB } from '../stats.js';
import {
  PROXIES,
  type BenchContext,
  type ProxyName,
  type ProxyUnderTest,
  type Samples,
  type ScenarioResult,
} from '../types.js';
import { parseLine, push, startLoader } from './common.js';

// src/admin/service.ts's AUDIT_DB_FILE; not imported, which would load the whole admin app here.
const AUDIT_DB_FILE = 'audit.db';

/** Size of Cordon's audit store (bench config: `storage.dir` is `<dir>/data`) with its WAL, MiB. */
function storeMiB(dir: string): number {
  const size = (f: string): number => (existsSync(f) ? statSync(f).size : 0);
  const db = join(dir, 'data', AUDIT_DB_FILE);
  return (size(db) + size(`${db}-wal`)) / 1024 / 1024;
}

const total = (t: Tally): number => Object.values(t).reduce((a, b) => a + b, 0);

interface Drive {
  points: SoakPoint[];
  errorKinds: Tally;
}

/** Read the loader's interval lines, sampling the proxy's RSS as each one arrives. */
async function drive(
  proxy: ProxyUnderTest,
  loader: Proc,
  intervals: number,
  intervalMs: number,
): Promise<Drive> {
  const points: SoakPoint[] = [];
  const errorKinds: Tally = {};
  for (let i = 0; i < intervals; i++) {
    const r = parseLine<SoakInterval>(loader, await loader.nextLine(intervalMs + 120_000));
    points.push({
      minute: (r.interval * intervalMs) / 60_000,
      rssKiB: rssKiB(proxy.pid),
      ...(proxy.name === 'cordon' ? { storeMiB: storeMiB(proxy.dir) } : {}),
      ok: total(r.ok),
      errors: total(r.errors),
      skipped: total(r.skipped),
    });
    for (const [k, n] of Object.entries(r.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  }
  return { points, errorKinds };
}

export async function runSoak(ctx: BenchContext): Promise<ScenarioResult> {
  const { intervalMs, intervals, warmup } = soakIntervals(ctx.opts.soakMinutes);
  const proxies: Partial<Record<ProxyName, ProxyUnderTest>> = {};
  const loaders: Partial<Record<ProxyName, Proc>> = {};
  const samples: Samples = {};
  const errors: string[] = [];
  const byProxy: Record<string, SoakPoint[]> = {};
  try {
    for (const name of PROXIES) {
      const proxy = await ctx.startProxy(name);
      proxies[name] = proxy;
      const options: SoakLoadOptions = {
        proxyPort: proxy.port,
        httpPort: ctx.origin.httpPort,
        originHost: ORIGIN_HOST,
        originPort: ctx.origin.httpsPort,
        caFile: ctx.origin.caFile,
        intervalMs,
        intervals,
      };
      loaders[name] = await startLoader(ctx, 'soak', options);
    }
    ctx.log(`(f) mixed soak: Cordon and squid side by side for ${ctx.opts.soakMinutes} min`);
    for (const l of Object.values(loaders)) l.child.stdin?.write('go\n');
    const runs = await Promise.all(
      PROXIES.map(async (name) => {
        const proxy = proxies[name] as ProxyUnderTest;
        return [name, await drive(proxy, loaders[name] as Proc, intervals, intervalMs)] as const;
      }),
    );
    for (const [name, run] of runs) {
      byProxy[name] = run.points;
      const s = summarizeSoak(run.points, warmup);
      if (s.errors > 0) errors.push(`(f) ${name}: ${s.errors} errors: ${tallyText(run.errorKinds)}`);
      push(samples, name, 0, {
        soakOps: s.ops,
        soakErrors: s.errors,
        soakErrorsFirst: s.errorsFirst,
        soakErrorsLast: s.errorsLast,
        soakErrorGrowth: s.errorGrowth,
        soakSkipped: s.skipped,
        soakRssWarmMiB: s.rssWarmMiB,
        soakRssFinalMiB: s.rssFinalMiB,
        soakRssGrowth: s.rssGrowth,
        soakSlopeMiBPerMin: s.slopeMiBPerMin,
      });
    }
  } finally {
    for (const l of Object.values(loaders)) l.child.stdin?.end();
    for (const l of Object.values(loaders)) await l.exited;
    for (const p of Object.values(proxies)) await p.stop();
  }
  const intro =
    `One row per interval (${clock(intervalMs / 60_000)}), time since the start; the first ${warmup} ` +
    'interval(s) are warm-up. RSS is read as each interval ends; ops/s counts operations of every ' +
    "kind, errors any unexpected outcome. Cordon's store column is its audit database with the WAL " +
    'on disk: SQLite keeps up to 32 MiB of its pages in memory (`cache_size`), so until the store is ' +
    "past that size Cordon's RSS grows with it, outside the JS heap.";
  return {
    id: 'f',
    samples,
    errors,
    details: [{ title: '(f) Soak timeline', markdown: `${intro}\n\n${soakTimeline(byProxy)}` }],
  };
}
