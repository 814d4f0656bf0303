/**
 * @module bench/scenarios/b-bulk
 * Scenario (b): one 100 MiB download per repetition with curl, over plain HTTP through the proxy
 * and as https:// through a CONNECT tunnel, and direct to the origin as the ceiling. Per repetition:
 * MB/s (10^6 bytes) and the proxy's CPU time for the 100 MiB.
 */
import { runCurl } from '../load/curl.js';
import { BULK_BYTES, ORIGIN_HOST } from '../origin-spec.js';
import type { BenchContext, Samples, ScenarioResult, Target } from '../types.js';
import { measured, proxyOf, push, rotated, targetsOf, usageMetrics } from './common.js';

const SCHEMES = ['http', 'https'] as const;

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
  const samples: Samples = {};
  const targets = targetsOf(ctx);
  for (const t of targets) for (const s of SCHEMES) await curl(t, s); // warm-up
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const scheme of SCHEMES) {
      for (const target of rotated(targets, rep)) {
        ctx.log(`(b) bulk ${scheme}: ${target}, repetition ${rep + 1}`);
        const { value: r, usage } = await measured(ctx, target, `b${scheme}`, () => curl(target, scheme));
        push(samples, target, rep, {
          [`${scheme}MBps`]: r.bytesPerS / 1e6,
          [`${scheme}CpuMs`]: target === 'direct' ? Number.NaN : usage.proxyCpuS * 1000,
          ...usageMetrics(`b${scheme}`, usage),
        });
      }
    }
  }
  return { id: 'b', samples, errors: [] };
}
