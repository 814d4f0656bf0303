/**
 * @module bench/ab
 * Paired comparison of builds, for deciding whether a change pays (`npm run bench:ab -- [--mode
 * small|connect|tls] [--rounds N] [--window S] [--warm S] TARGET...`). A target is a Cordon build
 * (a folder with its bin/ and dist/, run with the benchmark's config and Node flags), `floor` or
 * `squid`. All targets run at once, pinned to the server core, with the load on the other. After a
 * warm-up of each, every round visits the targets in turn (forward, then backward in the next
 * round): half a second of load unmeasured (a second with wrk, which counts whole seconds), then
 * `window` seconds measured. Each target's CPU per operation (and its p99 latency) is divided by the
 * first target's in the same round, and the report gives the median of those paired ratios. The
 * machine's slow phases (the same build measured 226 and 376 µs per CONNECT a minute apart) move
 * every target of a round alike, so paired medians resolve a few percent where separate runs,
 * minutes apart, cannot. Loopback only; kills what it started.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage } from '../src/errors.js';
import { ensureBuilt, startCordon } from './cordon.js';
import { benchError, BENCH_ERRORS } from './errors.js';
import { startFloor } from './floor.js';
import type { ConnectLoadOptions, ConnectLoadResult } from './load/connect.js';
import { runWrk } from './load/wrk.js';
import { ORIGIN_HOST, startOrigin, type Origin } from './origin.js';
import { pickCores, runEntry } from './entry.js';
import type { ProcSet } from './procs.js';
import { startLoader } from './scenarios/common.js';
import { startSquid } from './squid.js';
import { cpuSeconds, summarize } from './stats.js';
import { which } from './tools.js';
import type { Cores, ProxyUnderTest } from './types.js';

export type AbMode = 'small' | 'connect' | 'tls';

export interface AbOptions {
  mode: AbMode;
  rounds: number;
  windowS: number;
  warmS: number;
  targets: string[];
}

const USAGE =
  'usage: npm run bench:ab -- [--mode small|connect|tls] [--rounds N] [--window S] [--warm S] TARGET TARGET...\n' +
  '  TARGET: a Cordon build folder (with bin/ and dist/), floor or squid; ratios are to the first';
const MODES: readonly AbMode[] = ['small', 'connect', 'tls'];
/** Load that is not measured before each window: the target has been idle while the others ran. */
const REWARM_S = 0.5;
const CONCURRENCY = { small: 50, connect: 32, tls: 16 } as const;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw benchError(BENCH_ERRORS.USAGE, `--${name} must be a positive number`);
  return n;
}

export function parseAbOptions(argv: string[]): AbOptions {
  let parsed: ReturnType<
    typeof parseArgs<{ options: Record<string, { type: 'string' }>; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        mode: { type: 'string' },
        rounds: { type: 'string' },
        window: { type: 'string' },
        warm: { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (e: unknown) {
    throw benchError(BENCH_ERRORS.USAGE, `${errorMessage(e)}\n${USAGE}`);
  }
  const { values: v, positionals } = parsed;
  const mode = (v.mode ?? 'connect') as AbMode;
  if (!MODES.includes(mode))
    throw benchError(BENCH_ERRORS.USAGE, `--mode must be one of ${MODES.join(', ')}`);
  if (positionals.length < 2) throw benchError(BENCH_ERRORS.USAGE, `name two targets or more\n${USAGE}`);
  const rounds = Math.round(positive('rounds', v.rounds, 12));
  return {
    mode,
    rounds,
    windowS: positive('window', v.window, 2),
    warmS: positive('warm', v.warm, mode === 'small' ? 3 : 8),
    targets: positionals,
  };
}

/** Round `k` visits the targets forward when even, backward when odd. */
export function roundOrder(count: number, k: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  return k % 2 === 0 ? order : order.reverse();
}

export interface AbRow {
  target: string;
  cpuUs: ReturnType<typeof summarize>;
  opsPerS: ReturnType<typeof summarize>;
  p99Ms: ReturnType<typeof summarize>;
  /** This target's CPU per operation over the first target's, round by round. */
  ratio: ReturnType<typeof summarize>;
  /** This target's p99 latency over the first target's, round by round. */
  p99Ratio: ReturnType<typeof summarize>;
}

/** What each target measured, one array per target, one entry per round. */
export interface AbSamples {
  cpuUs: number[][];
  opsPerS: number[][];
  p99Ms: number[][];
}

/** Each round's value of target `i` over target 0's in the same round. */
function paired(series: number[][], i: number): number[] {
  const base = series[0] ?? [];
  return (series[i] ?? []).map((x, k) => x / (base[k] ?? Number.NaN));
}

/** Per target, medians of its rounds; the ratios pair each round with target 0's. */
export function summarizeAb(targets: readonly string[], s: AbSamples): AbRow[] {
  return targets.map((target, i) => ({
    target,
    cpuUs: summarize(s.cpuUs[i] ?? []),
    opsPerS: summarize(s.opsPerS[i] ?? []),
    p99Ms: summarize(s.p99Ms[i] ?? []),
    ratio: summarize(paired(s.cpuUs, i)),
    p99Ratio: summarize(paired(s.p99Ms, i)),
  }));
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '–');
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : '–');

export function abMarkdown(o: AbOptions, rows: readonly AbRow[]): string {
  const lines = [
    `Paired ${o.mode} windows: ${o.rounds} round${o.rounds === 1 ? '' : 's'} of ${o.windowS} s per target; ratios to ${rows[0]?.target ?? '–'}, round by round.`,
    '',
    '| target | CPU µs/op, median (min–max) | ops/s, median | CPU ratio, median of pairs (min–max) | p99 ms, median | p99 ratio, median of pairs (min–max) |',
    '|---|--:|--:|--:|--:|--:|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${f1(r.cpuUs.median)} (${f1(r.cpuUs.min)}–${f1(r.cpuUs.max)}) | ${f1(r.opsPerS.median)} | ${f3(r.ratio.median)} (${f3(r.ratio.min)}–${f3(r.ratio.max)}) | ${f2(r.p99Ms.median)} | ${f3(r.p99Ratio.median)} (${f3(r.p99Ratio.min)}–${f3(r.p99Ratio.max)}) |`,
    ),
  ];
  return lines.join('\n');
}

interface Bench {
  root: string;
  procs: ProcSet;
  origin: Origin;
  cores: Cores;
}

async function startTarget(
  b: Bench,
  dir: string,
  target: string,
  log: (m: string) => void,
): Promise<ProxyUnderTest> {
  if (target === 'floor') return startFloor({ procs: b.procs, root: b.root, core: b.cores.server });
  if (target === 'squid') {
    const squidBin = which('squid');
    if (squidBin === null)
      throw benchError(BENCH_ERRORS.TOOL_MISSING, 'squid is not installed (npm run bench installs it)');
    return startSquid({
      procs: b.procs,
      root: b.root,
      dir,
      origin: b.origin,
      core: b.cores.server,
      squidBin,
    });
  }
  const build = resolve(target);
  if (!existsSync(join(build, 'bin/cordon.js')) || !existsSync(join(build, 'dist/cli/main.js')))
    throw benchError(
      BENCH_ERRORS.USAGE,
      `${target} is not a Cordon build (no bin/cordon.js and dist/cli/main.js)`,
    );
  if (existsSync(join(build, 'src'))) await ensureBuilt(b.procs, build, log);
  return startCordon({ procs: b.procs, root: b.root, dir, origin: b.origin, core: b.cores.server, build });
}

/** One window of load on `proxy`: the number of operations it served, and their p99 latency. */
type LoadFn = (proxy: ProxyUnderTest, seconds: number) => Promise<{ ops: number; p99Ms: number }>;

async function loadFn(b: Bench, mode: AbMode): Promise<LoadFn> {
  if (mode === 'small') {
    const wrkBin = which('wrk');
    if (wrkBin === null)
      throw benchError(BENCH_ERRORS.TOOL_MISSING, 'wrk is not installed (npm run bench installs it)');
    const authority = `${ORIGIN_HOST}:${b.origin.httpPort}`;
    return async (proxy, seconds) => {
      const r = await runWrk({
        procs: b.procs,
        root: b.root,
        wrkBin,
        core: b.cores.load,
        port: proxy.port,
        path: `http://${authority}/small`,
        hostHeader: authority,
        connections: CONCURRENCY.small,
        seconds: Math.max(1, Math.round(seconds)),
      });
      if (r.errors > 0)
        throw benchError(BENCH_ERRORS.LOAD_FAILED, `${proxy.name}: ${r.errors} failed requests`);
      return { ops: r.requests, p99Ms: r.p99Ms };
    };
  }
  const loader = await startLoader(b, 'connect');
  return async (proxy, seconds) => {
    const options: ConnectLoadOptions = {
      mode,
      concurrency: CONCURRENCY[mode],
      durationMs: seconds * 1000,
      proxyPort: proxy.port,
      originHost: ORIGIN_HOST,
      originPort: b.origin.httpsPort,
      caFile: b.origin.caFile,
    };
    loader.child.stdin?.write(`${JSON.stringify(options)}\n`);
    const r = JSON.parse(await loader.nextLine(seconds * 1000 + 60_000)) as ConnectLoadResult;
    if (r.errors > 0)
      throw benchError(BENCH_ERRORS.LOAD_FAILED, `${proxy.name}: ${r.errors} failed (${r.firstError})`);
    return { ops: r.ops, p99Ms: r.p99Ms };
  };
}

export async function runAb(
  o: AbOptions,
  root: string,
  procs: ProcSet,
  dir: string,
  log: (m: string) => void,
): Promise<AbRow[]> {
  const cores = pickCores();
  const b: Bench = { root, procs, cores, origin: await startOrigin(procs, dir, root, cores.server) };
  const proxies: ProxyUnderTest[] = [];
  for (const t of o.targets) proxies.push(await startTarget(b, dir, t, log));
  const load = await loadFn(b, o.mode);
  for (const p of proxies) await load(p, o.warmS);
  const perTarget = (): number[][] => proxies.map((): number[] => []);
  const s: AbSamples = { cpuUs: perTarget(), opsPerS: perTarget(), p99Ms: perTarget() };
  for (let k = 0; k < o.rounds; k++) {
    for (const i of roundOrder(proxies.length, k)) {
      const p = proxies[i] as ProxyUnderTest;
      await load(p, REWARM_S);
      const before = cpuSeconds(p.pid);
      const t0 = performance.now();
      const { ops, p99Ms } = await load(p, o.windowS);
      const wallS = (performance.now() - t0) / 1000;
      const cpuS = cpuSeconds(p.pid) - before;
      if (ops === 0) throw benchError(BENCH_ERRORS.LOAD_FAILED, `${o.targets[i]} served nothing in a window`);
      s.cpuUs[i]?.push((cpuS * 1e6) / ops);
      s.opsPerS[i]?.push(ops / wallS);
      s.p99Ms[i]?.push(p99Ms);
    }
    log(`round ${k + 1} of ${o.rounds}`);
  }
  for (const p of proxies) await p.stop();
  return summarizeAb(o.targets, s);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await runEntry({
    name: 'ab',
    parse: parseAbOptions,
    run: async (o, ctx) => abMarkdown(o, await runAb(o, ctx.root, ctx.procs, ctx.dir, ctx.log)),
  });
}
