/**
 * @module bench/scenarios/e-exhaust
 * Scenario (e), second half: descriptor exhaustion. Each proxy is started fresh under
 * `prlimit --nofile=2000:2000` with its connection caps raised (so the descriptor limit, not a cap,
 * is what it runs into), and bench/load/hold.ts makes 1,500 tunnel attempts, about half again as
 * many as fit. Counted: tunnels opened, answers by status (429, 503, ...), closed with no answer,
 * timed out; then whether the process is still up, whether a normal request is served while the
 * tunnels are held, and after they close (polled up to a deadline: the recovery time).
 */
import type { OpenResult } from '../load/hold.js';
import { count, tallyText, type Tally } from '../load/outcome.js';
import type { Proc } from '../procs.js';
import { PROXIES, type BenchContext, type ProxyName, type ProxyUnderTest, type Sample } from '../types.js';
import { rotated, startLoader } from './common.js';
import { ask, holdLoaderOptions } from './settle.js';

/** Small enough to hit quickly: about 1,000 tunnels fit in 2,000 descriptors. */
export const EXHAUST_NOFILE = 2000;
export const EXHAUST_ATTEMPTS = 1500;
// Attempts the proxy leaves unanswered wait out the loader's 10 s timeout; run many at once.
const CONCURRENCY = 250;
const RECOVERY_DEADLINE_MS = 15_000;

interface Probe {
  tls: string;
  http: string;
}

interface ExhaustFigures {
  outcomes: Tally;
  during: Probe;
  after: Probe;
  recoveryMs: number;
  aliveDuring: boolean;
  aliveAfter: boolean;
}

const alive = (p: ProxyUnderTest): boolean =>
  p.proc.child.exitCode === null && p.proc.child.signalCode === null;
const probeOk = (p: Probe): boolean => p.tls === 'ok' && p.http === 'ok';

async function exhaustOnce(proxy: ProxyUnderTest, loader: Proc): Promise<ExhaustFigures> {
  const opened = await ask<OpenResult>(
    loader,
    { cmd: 'open', count: EXHAUST_ATTEMPTS, retry: false },
    300_000,
  );
  const during = await ask<Probe>(loader, { cmd: 'probe' }, 60_000);
  const aliveDuring = alive(proxy);
  await ask(loader, { cmd: 'close' }, 60_000);
  const t0 = Date.now();
  let after = await ask<Probe>(loader, { cmd: 'probe' }, 60_000);
  while (!probeOk(after) && alive(proxy) && Date.now() - t0 < RECOVERY_DEADLINE_MS) {
    await new Promise((r) => setTimeout(r, 250)); // poll interval, bounded by the deadline above
    after = await ask<Probe>(loader, { cmd: 'probe' }, 60_000);
  }
  const recoveryMs = probeOk(after) ? Date.now() - t0 : Number.NaN;
  return { outcomes: opened.outcomes, during, after, recoveryMs, aliveDuring, aliveAfter: alive(proxy) };
}

async function exhaustProxy(ctx: BenchContext, name: ProxyName): Promise<ExhaustFigures> {
  const proxy = await ctx.startProxy(name, false, { manyConnections: true, nofile: EXHAUST_NOFILE });
  try {
    const loader = await startLoader(ctx, 'hold', holdLoaderOptions(ctx, proxy, CONCURRENCY));
    try {
      return await exhaustOnce(proxy, loader);
    } finally {
      loader.child.stdin?.end();
      await loader.exited;
    }
  } finally {
    await proxy.stop();
  }
}

/** The report's numbers: outcome counts grouped as the issue asks (429, 503, other answers, no answer). */
export function exhaustionSample(f: ExhaustFigures): Sample {
  const grouped: Tally = {};
  for (const [k, n] of Object.entries(f.outcomes)) {
    if (k === 'ok' || k === '429' || k === '503') count(grouped, k, n);
    else if (/^\d{3}$/.test(k)) count(grouped, 'otherStatus', n);
    else if (k === 'closed' || k === 'refused') count(grouped, 'closed', n);
    else count(grouped, 'timeout', n); // timeouts and anything unexpected: no usable answer in time
  }
  return {
    exhaustOk: grouped.ok ?? 0,
    exhaust429: grouped['429'] ?? 0,
    exhaust503: grouped['503'] ?? 0,
    exhaustOtherStatus: grouped.otherStatus ?? 0,
    exhaustClosed: grouped.closed ?? 0,
    exhaustTimeout: grouped.timeout ?? 0,
    exhaustAlive: f.aliveDuring && f.aliveAfter ? 1 : 0,
    exhaustRecovered: probeOk(f.after) ? 1 : 0,
    exhaustRecoveryMs: f.recoveryMs,
  };
}

export function exhaustionText(name: ProxyName, f: ExhaustFigures): string {
  const probe = (p: Probe): string => `CONNECT + TLS + GET ${p.tls}, plain GET ${p.http}`;
  return [
    `- **${name}**: ${EXHAUST_ATTEMPTS.toLocaleString('en-US')} attempts → ${tallyText(f.outcomes)}.`,
    `  While they were held: ${probe(f.during)}. Process ${f.aliveDuring && f.aliveAfter ? 'stayed up' : '**exited**'}.`,
    `  After closing them: ${probe(f.after)}` +
      (Number.isFinite(f.recoveryMs)
        ? ` (served ${f.recoveryMs} ms after the close).`
        : ' (**not served**).'),
  ].join('\n');
}

export async function runExhaustion(ctx: BenchContext): Promise<{
  samples: Partial<Record<ProxyName, Sample>>;
  errors: string[];
  details: { title: string; markdown: string }[];
}> {
  const samples: Partial<Record<ProxyName, Sample>> = {};
  const lines: string[] = [];
  const errors: string[] = [];
  for (const name of rotated<ProxyName>(PROXIES, 0)) {
    ctx.log(`(e) descriptor exhaustion: ${name} under prlimit --nofile=${EXHAUST_NOFILE}`);
    const f = await exhaustProxy(ctx, name);
    samples[name] = exhaustionSample(f);
    lines.push(exhaustionText(name, f));
    if (!f.aliveAfter) errors.push(`(e) ${name} exited during descriptor exhaustion`);
  }
  const intro =
    `Each proxy started under \`prlimit --nofile=${EXHAUST_NOFILE}:${EXHAUST_NOFILE}\` with its connection ` +
    `caps raised, then ${EXHAUST_ATTEMPTS.toLocaleString('en-US')} tunnel attempts (CONNECT + TLS), ` +
    `${CONCURRENCY} at a time, each given 10 s:`;
  return {
    samples,
    errors,
    details: [{ title: '(e) Descriptor exhaustion', markdown: [intro, '', ...lines].join('\n') }],
  };
}
