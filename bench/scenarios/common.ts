/**
 * @module bench/scenarios/common
 * What every scenario does around a measured run: CPU snapshots of the proxy and origin and of both
 * cores before and after, the usage numbers that go into the "where the time goes" table, the
 * rotating target order, and starting a Node load generator on the load core.
 */
import { join } from 'node:path';
import { benchError, BENCH_ERRORS } from '../errors.js';
import type { Proc } from '../procs.js';
import { snapshot, usageBetween, type Usage } from '../stats.js';
import type { BenchContext, ProxyUnderTest, Sample, Samples, Target } from '../types.js';

/** CLOCK_MONOTONIC in µs: the clock V8 stamps CPU-profile samples with, in every process. */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * Run `fn` between two snapshots of the long-running proxy for `target` (none for direct). For
 * Cordon the window is also kept, labelled with the usage prefix, to cut its CPU profile by scenario.
 */
export async function measured<T>(
  ctx: BenchContext,
  target: Target,
  label: string,
  fn: () => Promise<T>,
): Promise<{ value: T; usage: Usage }> {
  const pid = target === 'direct' ? undefined : proxyOf(ctx, target).pid;
  const before = snapshot(pid, ctx.origin.proc.pid);
  const fromUs = monotonicUs();
  const value = await fn();
  if (target === 'cordon') ctx.windows.push({ label, fromUs, toUs: monotonicUs() });
  const after = snapshot(pid, ctx.origin.proc.pid);
  return { value, usage: usageBetween(before, after, ctx.cores.server ?? 0, ctx.cores.load ?? 0) };
}

/** Shares of one core, in percent, keyed `<prefix>ProxyPct` etc. */
export function usageMetrics(prefix: string, u: Usage): Sample {
  const pct = (cpuS: number): number => (u.wallS > 0 ? (100 * cpuS) / u.wallS : Number.NaN);
  return {
    [`${prefix}ProxyPct`]: pct(u.proxyCpuS),
    [`${prefix}OriginPct`]: pct(u.originCpuS),
    [`${prefix}ServerCorePct`]: 100 * u.serverCoreBusy,
    [`${prefix}LoadCorePct`]: 100 * u.loadCoreBusy,
  };
}

/** The running proxy behind a target: the one-core Cordon or squid, the all-cores Cordon cluster, the floor. */
export function proxyOf(ctx: BenchContext, target: Exclude<Target, 'direct'>): ProxyUnderTest {
  if (target === 'cordon' || target === 'squid') return ctx.proxies[target];
  const proxy = ctx[target];
  if (proxy === undefined) throw benchError(BENCH_ERRORS.USAGE, `the ${target} target is not running`);
  return proxy;
}

/** Scenarios a–c's targets: no proxy, Cordon, squid, then the Cordon cluster and the Node floor when they run. */
export function targetsOf(ctx: BenchContext): Target[] {
  const extra = (['cluster', 'floor'] as const).filter((t) => ctx[t] !== undefined);
  return ['direct', 'cordon', 'squid', ...extra];
}

/** Targets in a different order each repetition, so slow drift does not favour one of them. */
export function rotated<T>(items: readonly T[], rep: number): T[] {
  const k = rep % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

export function push(samples: Samples, target: Target, rep: number, values: Sample): void {
  const list = (samples[target] ??= []);
  list[rep] = { ...list[rep], ...values };
}

/** Start bench/load/NAME.ts on the load core and wait for its "ready" line. */
export async function startLoader(
  ctx: Pick<BenchContext, 'root' | 'procs' | 'cores'>,
  name: string,
  options?: unknown,
): Promise<Proc> {
  const script = join(ctx.root, `bench/load/${name}.ts`);
  const argv = [process.execPath, '--import', 'tsx', script, JSON.stringify(options ?? null)];
  const proc = ctx.procs.spawn(`load/${name}`, argv, { core: ctx.cores.load, cwd: ctx.root });
  const line = await proc.nextLine(30_000);
  if (line !== '"ready"') throw benchError(BENCH_ERRORS.BAD_OUTPUT, `load/${name} printed ${line}`);
  return proc;
}

export function parseLine<T>(proc: Proc, line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (e: unknown) {
    throw benchError(BENCH_ERRORS.BAD_OUTPUT, `${proc.name} printed ${JSON.stringify(line)}`, e);
  }
}
