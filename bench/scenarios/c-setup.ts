/**
 * @module bench/scenarios/c-setup
 * Scenario (c): connection setup. bench/load/connect.ts runs concurrent loops of CONNECT-only
 * (tunnel opened, 200 read, closed) and of CONNECT + full TLS handshake + GET /small; direct, the
 * same without a proxy (TCP connect only; TLS + GET). Per repetition: operations/s, p50/p99 and the
 * proxy's CPU per operation, each measured window right after 2 s of the same load (unmeasured).
 */
import type { ConnectLoadOptions, ConnectLoadResult } from '../load/connect.js';
import { ORIGIN_HOST } from '../origin-spec.js';
import type { Proc } from '../procs.js';
import type { BenchContext, Samples, ScenarioResult, Target } from '../types.js';
import {
  measured,
  parseLine,
  proxyOf,
  push,
  rotated,
  startLoader,
  targetsOf,
  usageMetrics,
} from './common.js';

const MODES = ['connect', 'tls'] as const;
// Enough parallel loops to keep one server core busy, few enough that the client's own
// single-threaded event loop does not add queueing delay to the latencies it measures.
const CONCURRENCY = { connect: 32, tls: 16 } as const;
// A fresh Cordon's CPU per operation falls for its first ~10 s of CONNECTs while V8 optimises the
// tunnel path (CONNECT + TLS + GET in consecutive 3 s windows: 2,550, 1,980, 1,600, 1,350 µs, then
// ~1,300; a fresh Node floor settles within 3 s; docs/benchmarks.md). Warm each mode of each proxy
// 10 s (1 s quick) so that every repetition measures the steady state, as (a)'s does.
const WARM_MS = { full: 10_000, quick: 1000 } as const;
// Between its repetitions a proxy sits idle while the others run (15–40 s). V8's memory reducer
// collects an idle heap, and the first second of CONNECTs after that costs Cordon 2–3× its steady
// CPU (the floor ~2×; it settles within 3–4 s; docs/benchmarks.md, session 10): a 4 s window
// would measure mostly that re-warming. So each measured window follows an unmeasured 2 s
// (0.5 s quick) of the same load on the same target.
const REWARM_MS = { full: 2000, quick: 500 } as const;

/** One run of the loader against `target`: sends its options and waits for its result line. */
function load(ctx: BenchContext, loader: Proc, target: Target, mode: 'connect' | 'tls', durationMs: number) {
  const options: ConnectLoadOptions = {
    mode,
    concurrency: CONCURRENCY[mode],
    durationMs,
    proxyPort: target === 'direct' ? undefined : proxyOf(ctx, target).port,
    originHost: ORIGIN_HOST,
    originPort: ctx.origin.httpsPort,
    caFile: ctx.origin.caFile,
  };
  loader.child.stdin?.write(`${JSON.stringify(options)}\n`);
  return loader.nextLine(durationMs + 60_000);
}

/** Load that is not measured (warm-ups): no CPU reading, and no window in Cordon's profile. */
async function warm(ctx: BenchContext, loader: Proc, target: Target, mode: 'connect' | 'tls', ms: number) {
  parseLine<ConnectLoadResult>(loader, await load(ctx, loader, target, mode, ms));
}

async function runLoad(
  ctx: BenchContext,
  loader: Proc,
  target: Target,
  mode: 'connect' | 'tls',
  durationMs: number,
): Promise<{ r: ConnectLoadResult; cpuS: number; usage: ReturnType<typeof usageMetrics> }> {
  const { value: line, usage } = await measured(ctx, target, `c${mode}`, () =>
    load(ctx, loader, target, mode, durationMs),
  );
  return {
    r: parseLine<ConnectLoadResult>(loader, line),
    cpuS: usage.proxyCpuS,
    usage: usageMetrics(`c${mode}`, usage),
  };
}

export async function runSetup(ctx: BenchContext): Promise<ScenarioResult> {
  const durationMs = ctx.opts.quick ? 2000 : 4000;
  const samples: Samples = {};
  const errors: string[] = [];
  const loader = await startLoader(ctx, 'connect');
  const targets = targetsOf(ctx);
  const warmMs = ctx.opts.quick ? WARM_MS.quick : WARM_MS.full;
  const rewarmMs = ctx.opts.quick ? REWARM_MS.quick : REWARM_MS.full;
  ctx.log(`(c) warming up each proxy, ${warmMs / 1000} s per mode`);
  for (const t of targets) {
    // Without a proxy there is nothing to warm beyond the loader itself.
    for (const m of MODES) await warm(ctx, loader, t, m, t === 'direct' ? Math.min(warmMs, 1000) : warmMs);
  }
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const mode of MODES) {
      for (const target of rotated(targets, rep)) {
        ctx.log(`(c) setup ${mode}: ${target}, repetition ${rep + 1}`);
        if (target !== 'direct') await warm(ctx, loader, target, mode, rewarmMs);
        const { r, cpuS, usage } = await runLoad(ctx, loader, target, mode, durationMs);
        if (r.errors > 0) errors.push(`(c) ${mode} ${target}: ${r.errors} failed, first: ${r.firstError}`);
        push(samples, target, rep, {
          [`${mode}Rate`]: r.ops / r.elapsedS,
          [`${mode}P50Ms`]: r.p50Ms,
          [`${mode}P99Ms`]: r.p99Ms,
          [`${mode}CpuUs`]: target === 'direct' ? Number.NaN : (cpuS * 1e6) / r.ops,
          [`${mode}Errors`]: r.errors,
          ...usage,
        });
      }
    }
  }
  loader.child.stdin?.end();
  await loader.exited;
  return { id: 'c', samples, errors };
}
