/**
 * @module bench/scenarios/a-small
 * Scenario (a): small responses over keep-alive. wrk (one thread, 50 connections) sends
 * `GET http://origin.bench:PORT/small` through each proxy, and `GET /small` straight to the origin
 * as the ceiling. Per repetition: requests/s, p50 and p99 latency, proxy CPU per request.
 */
import { ORIGIN_HOST } from '../origin.js';
import { runWrk } from '../load/wrk.js';
import type { BenchContext, Samples, ScenarioResult, Target } from '../types.js';
import { measured, proxyOf, push, rotated, targetsOf, usageMetrics } from './common.js';

const CONNECTIONS = 50;

export async function runSmall(ctx: BenchContext, wrkBin: string): Promise<ScenarioResult> {
  const seconds = ctx.opts.quick ? 3 : 6;
  const host = `${ORIGIN_HOST}:${ctx.origin.httpPort}`;
  const wrk = (target: Target, secs: number) =>
    runWrk({
      procs: ctx.procs,
      root: ctx.root,
      wrkBin,
      core: ctx.cores.load,
      port: target === 'direct' ? ctx.origin.httpPort : proxyOf(ctx, target).port,
      path: target === 'direct' ? '/small' : `http://${host}/small`,
      hostHeader: host,
      connections: CONNECTIONS,
      seconds: secs,
    });
  const samples: Samples = {};
  const errors: string[] = [];
  // Warm-up: JIT for Cordon, the upstream connection pool for both.
  const targets = targetsOf(ctx);
  for (const t of targets) await wrk(t, 1);
  for (let rep = 0; rep < ctx.opts.reps; rep++) {
    for (const target of rotated(targets, rep)) {
      ctx.log(`(a) small responses: ${target}, repetition ${rep + 1}`);
      const { value: r, usage } = await measured(ctx, target, 'a', () => wrk(target, seconds));
      if (r.errors > 0) errors.push(`(a) ${target}: ${r.errors} failed of ${r.requests} (${r.errorDetail})`);
      push(samples, target, rep, {
        rps: r.rps,
        p50Ms: r.p50Ms,
        p99Ms: r.p99Ms,
        cpuUsPerReq: target === 'direct' ? Number.NaN : (usage.proxyCpuS * 1e6) / r.requests,
        errors: r.errors,
        ...usageMetrics('a', usage),
      });
    }
  }
  return { id: 'a', samples, errors };
}
