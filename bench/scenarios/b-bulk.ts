/**
 * @module bench/scenarios/b-bulk
 * Scenario (b): 100 MiB downloads with curl, over plain HTTP through the proxy and as https://
 * through a CONNECT tunnel, and direct to the origin as the ceiling; five back to back per
 * repetition (two quick). Per repetition: MB/s (10^6 bytes, all bytes over all download time) and
 * the proxy's CPU time per 100 MiB (a fifth of its CPU over the five: one download is only 5–15
 * ticks of the 10 ms clock /proc counts CPU in, too coarse alone).
 */
import { runCurl, type CurlResult } from '../load/curl.js';
import { BULK_BYTES, ORIGIN_HOST } from '../origin-spec.js';
import type { BenchContext, Samples, ScenarioResult, Target } from '../types.js';
import { measured, proxyOf, push, rotated, targetsOf, usageMetrics } from './common.js';

const SCHEMES = ['http', 'https'] as const;
const DOWNLOADS = { full: 5, quick: 2 } as const;

export async function runBulk(ctx: BenchContext, curlBin: string): Promise<ScenarioResult> {
  const curl = (target: Target, scheme: 'http' | 'https') =>
    runCurl({
      procs: ctx.procs,
      curlBin,
      core: ctx.cores.load,
      scheme,
      host: ORIGIN_HOST,
      port: scheme === 'http' ? ctx.origin.httpPort : ctx.origin.httpsPort,
      path: '/bulk',
      caFile: ctx.origin.caFile,
      proxyPort: target === 'direct' ? undefined : proxyOf(ctx, target).port,
      expectBytes: BULK_BYTES,
    });
  const downloads = ctx.opts.quick ? DOWNLOADS.quick : DOWNLOADS.full;
  const several = async (target: Target, scheme: 'http' | 'https'): Promise<CurlResult[]> => {
    const runs: CurlResult[] = [];
    for (let i = 0; i < downloads; i++) runs.push(await curl(target, scheme));
    return runs;
  };
  const samples: Samples = {};
  const targets = targetsOf(ctx);
  for (const t of targets) for (const s of SCHEMES) await curl(t, s); // warm-up
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const scheme of SCHEMES) {
      for (const target of rotated(targets, rep)) {
        ctx.log(`(b) bulk ${scheme}: ${target}, repetition ${rep + 1}`);
        const { value: runs, usage } = await measured(ctx, target, `b${scheme}`, () =>
          several(target, scheme),
        );
        const bytes = runs.reduce((n, r) => n + r.bytes, 0);
        const seconds = runs.reduce((n, r) => n + r.bytes / r.bytesPerS, 0);
        push(samples, target, rep, {
          [`${scheme}MBps`]: bytes / seconds / 1e6,
          [`${scheme}CpuMs`]: target === 'direct' ? Number.NaN : (usage.proxyCpuS * 1000) / runs.length,
          ...usageMetrics(`b${scheme}`, usage),
        });
      }
    }
  }
  return { id: 'b', samples, errors: [] };
}
