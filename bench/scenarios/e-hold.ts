/**
 * @module bench/scenarios/e-hold
 * Scenario (e): 9,000 concurrent idle tunnels in one proxy process, then descriptor exhaustion.
 * For each proxy a fresh process with its caps raised (bench/tuning.ts) is warmed with 100 tunnels
 * that are closed again; its settled RSS is the baseline. bench/load/hold.ts then opens 9,000
 * tunnels (CONNECT + TLS handshake) and holds them; RSS is read once settled, then every tunnel is
 * closed and RSS read every second until it is back near the baseline (or 2 minutes passed). The
 * exhaustion half is in e-exhaust.ts.
 */
import type { OpenResult } from '../load/hold.js';
import { failures, tallyText } from '../load/outcome.js';
import { RETURNED_FACTOR } from '../report-load.js';
import type { Proc } from '../procs.js';
import {
  PROXIES,
  type BenchContext,
  type ProxyName,
  type ProxyUnderTest,
  type Samples,
  type ScenarioResult,
} from '../types.js';
import { push, rotated, startLoader } from './common.js';
import { runExhaustion } from './e-exhaust.js';
import { ask, holdLoaderOptions, returnedRss, settledRss, SETTLE_BUSY, SETTLE_IDLE } from './settle.js';

/** The figure: 9,000 idle tunnels, two descriptors each, under a 20,000 hard limit. */
export const HOLD_TUNNELS = 9000;
const WARM_TUNNELS = 100;
// Many handshakes in flight keep both cores busy without a queue of timeouts at the proxy.
const CONCURRENCY = 64;
const OPEN_TIMEOUT_MS = 300_000;
// Waited for up to 2 minutes after the close. Cordon's RSS comes back in one step at V8's next full
// GC, which an idle process runs only when something allocates: 40–60 s here, sometimes over 90 s.
const RETURN_DEADLINE_MS = 120_000;

interface HoldFigures {
  baseKiB: number;
  fullKiB: number;
  afterKiB: number;
  /** Seconds from the close until RSS was back within RETURNED_FACTOR of the baseline; NaN if never. */
  returnS: number;
  held: number;
  openSeconds: number;
  errors: string[];
}

async function holdOnce(ctx: BenchContext, proxy: ProxyUnderTest, loader: Proc): Promise<HoldFigures> {
  const errors: string[] = [];
  const tag = `(e) ${proxy.name}`;
  const warm = await ask<OpenResult>(
    loader,
    { cmd: 'open', count: WARM_TUNNELS, retry: true },
    OPEN_TIMEOUT_MS,
  );
  if (failures(warm.outcomes) > 0) errors.push(`${tag} warm-up: ${tallyText(warm.outcomes)}`);
  await ask(loader, { cmd: 'close' }, 60_000);
  const baseKiB = await settledRss(proxy.pid, SETTLE_IDLE);
  ctx.log(`${tag}: baseline ${(baseKiB / 1024).toFixed(0)} MiB; opening ${HOLD_TUNNELS} tunnels`);
  const full = await ask<OpenResult>(
    loader,
    { cmd: 'open', count: HOLD_TUNNELS, retry: true },
    OPEN_TIMEOUT_MS,
  );
  if (failures(full.outcomes) > 0 || full.held !== HOLD_TUNNELS) {
    errors.push(
      `${tag}: wanted ${HOLD_TUNNELS} tunnels, ${full.held} held; attempts: ${tallyText(full.outcomes)}`,
    );
  }
  const fullKiB = await settledRss(proxy.pid, SETTLE_BUSY);
  // Tunnels the proxy (or the origin) closed while they sat idle show up here.
  const { held } = await ask<{ held: number }>(loader, { cmd: 'held' }, 10_000);
  if (held < full.held) errors.push(`${tag}: ${full.held - held} tunnels closed while idle`);
  ctx.log(`${tag}: ${held} held, ${(fullKiB / 1024).toFixed(0)} MiB; closing them`);
  await ask(loader, { cmd: 'close' }, 120_000);
  const after = await returnedRss(proxy.pid, baseKiB, RETURNED_FACTOR, RETURN_DEADLINE_MS);
  return {
    baseKiB,
    fullKiB,
    afterKiB: after.kib,
    returnS: after.seconds,
    held,
    openSeconds: full.seconds,
    errors,
  };
}

async function holdProxy(ctx: BenchContext, name: ProxyName): Promise<HoldFigures> {
  const proxy = await ctx.startProxy(name, false, { manyConnections: true });
  try {
    const loader = await startLoader(ctx, 'hold', holdLoaderOptions(ctx, proxy, CONCURRENCY));
    try {
      return await holdOnce(ctx, proxy, loader);
    } finally {
      loader.child.stdin?.end();
      await loader.exited;
    }
  } finally {
    await proxy.stop();
  }
}

/** One repetition whatever `--reps` says: at this scale the figures vary little, and each takes a minute. */
export async function runHold(ctx: BenchContext): Promise<ScenarioResult> {
  const samples: Samples = {};
  const errors: string[] = [];
  for (const name of rotated<ProxyName>(PROXIES, 0)) {
    ctx.log(`(e) ${HOLD_TUNNELS} idle tunnels: ${name} (fresh process)`);
    const f = await holdProxy(ctx, name);
    errors.push(...f.errors);
    push(samples, name, 0, {
      holdBaseMiB: f.baseKiB / 1024,
      holdFullMiB: f.fullKiB / 1024,
      holdPerTunnelKiB: (f.fullKiB - f.baseKiB) / HOLD_TUNNELS,
      holdAfterMiB: f.afterKiB / 1024,
      holdAfterRatio: f.afterKiB / f.baseKiB,
      holdReturnS: f.returnS,
      holdHeld: f.held,
      holdOpenS: f.openSeconds,
    });
  }
  const exhaustion = await runExhaustion(ctx);
  for (const [name, sample] of Object.entries(exhaustion.samples))
    push(samples, name as ProxyName, 0, sample);
  return { id: 'e', samples, errors: [...errors, ...exhaustion.errors], details: exhaustion.details };
}
