/**
 * @module bench/run
 * The benchmark's entry (`node --import tsx bench/run.ts [--quick] [--only a,b] [--reps N] ...`):
 * installs what is missing, builds dist/, starts the origin, Cordon and squid pinned to the server
 * core, runs the chosen scenarios with the load generators on the other core, prints the report
 * and writes bench/results/latest.{md,json}. Kills everything it started and removes its temp
 * folder on success, failure and Ctrl-C. Sends traffic only on loopback.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAuditLedger } from './audit.js';
import { ensureBuilt, startCordon } from './cordon.js';
import { benchError, BENCH_ERRORS } from './errors.js';
import { startFloor } from './floor.js';
import { describeRun, renderReport } from './meta.js';
import { startOrigin } from './origin.js';
import { pickCores, runEntry } from './entry.js';
import type { ProcSet } from './procs.js';
import { summarizeProfiles } from './profile.js';
import { runSmall } from './scenarios/a-small.js';
import { runBulk } from './scenarios/b-bulk.js';
import { runSetup } from './scenarios/c-setup.js';
import { runIdle } from './scenarios/d-idle.js';
import { runHold } from './scenarios/e-hold.js';
import { runSoak } from './scenarios/f-soak.js';
import { runSlowloris } from './scenarios/g-slowloris.js';
import { startSquid } from './squid.js';
import { backgroundLoad } from './stats.js';
import { ensureTools } from './tools.js';
import {
  DEFAULT_SCENARIOS,
  LONG_RUNNING_SCENARIOS,
  SCENARIOS,
  type BenchContext,
  type ProfileWindow,
  type ProxyName,
  type ProxyTuning,
  type RunOptions,
  type ScenarioId,
  type ScenarioResult,
} from './types.js';

const USAGE =
  'usage: node --import tsx bench/run.ts [--quick] [--only a,b,c,d,e,f,g] [--reps N] [--soak-minutes N] [--keep] [--profile]';

export function parseOptions(argv: string[]): RunOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      reps: { type: 'string' },
      keep: { type: 'boolean' },
      profile: { type: 'boolean' },
      'soak-minutes': { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick ?? false;
  const only = (values.only ?? DEFAULT_SCENARIOS.join(',')).split(',').map((s) => s.trim());
  const bad = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (bad.length > 0) throw benchError(BENCH_ERRORS.USAGE, `unknown scenario ${bad.join(',')}\n${USAGE}`);
  const reps = Number(values.reps ?? (quick ? 1 : 3));
  if (!Number.isInteger(reps) || reps < 1) throw benchError(BENCH_ERRORS.USAGE, `bad --reps\n${USAGE}`);
  const soakMinutes = Number(values['soak-minutes'] ?? (quick ? 1 : 10));
  if (!Number.isInteger(soakMinutes) || soakMinutes < 1) {
    throw benchError(BENCH_ERRORS.USAGE, `bad --soak-minutes (whole minutes, at least 1)\n${USAGE}`);
  }
  return {
    quick,
    reps,
    only: new Set(only as ScenarioId[]),
    keep: values.keep ?? false,
    profile: values.profile ?? false,
    soakMinutes,
  };
}

/** Load generators on core 0, proxy and origin on core 1; no pinning on a one-core machine. */

interface Setup {
  root: string;
  dir: string;
  opts: RunOptions;
  procs: ProcSet;
  log: (m: string) => void;
}

/** Start everything, run the chosen scenarios, stop the proxies, and render the report. */
async function runBenchmark({ root, dir, opts, procs, log }: Setup): Promise<string> {
  const tools = ensureTools(log);
  await ensureBuilt(procs, root, log);
  const cores = pickCores();
  const background = await backgroundLoad(1000);
  log('starting the origin and the proxies');
  const origin = await startOrigin(procs, dir, root, cores.server);
  // Every Cordon's audit counters are booked by scenario; a fresh one's just before it stops.
  const audit = createAuditLedger();
  const startProxy = async (name: ProxyName, profile = false, tuning?: ProxyTuning) =>
    audit.track(
      name === 'cordon'
        ? await startCordon({ procs, root, dir, origin, core: cores.server, profile, tuning })
        : await startSquid({
            procs,
            root,
            dir,
            origin,
            core: cores.server,
            squidBin: tools.squid ?? 'squid',
            tuning,
          }),
    );
  const needLongRunning = [...opts.only].some((s) => LONG_RUNNING_SCENARIOS.includes(s));
  const proxies = needLongRunning
    ? { cordon: await startProxy('cordon', opts.profile), squid: await startProxy('squid') }
    : ({} as BenchContext['proxies']);
  // The all-cores figure: Cordon with `workers: auto`, not pinned, so it shares core 0 with the load.
  const cluster = needLongRunning
    ? await startCordon({ procs, root, dir, origin, core: undefined, workers: 'auto' })
    : undefined;
  // The Node floor, pinned beside Cordon: what Node itself costs for the same traffic.
  const floor = needLongRunning ? await startFloor({ procs, root, core: cores.server }) : undefined;
  const windows: ProfileWindow[] = [];
  const ctx: BenchContext = {
    root,
    dir,
    procs,
    origin,
    cores,
    opts,
    proxies,
    cluster,
    floor,
    windows,
    startProxy,
    startFloor: () => startFloor({ procs, root, core: cores.server }),
    log,
  };
  const results: ScenarioResult[] = [];
  const started = Date.now();
  const runners: readonly (readonly [ScenarioId, () => Promise<ScenarioResult>])[] = [
    ['a', () => runSmall(ctx, tools.wrk ?? 'wrk')],
    ['b', () => runBulk(ctx, tools.curl ?? 'curl')],
    ['c', () => runSetup(ctx)],
    ['d', () => runIdle(ctx)],
    ['e', () => runHold(ctx)],
    ['f', () => runSoak(ctx)],
    ['g', () => runSlowloris(ctx, tools.wrk ?? 'wrk')],
  ];
  for (const [id, run] of runners) {
    if (!opts.only.has(id)) continue;
    audit.scenario = id;
    const result = await run();
    if (needLongRunning) await audit.collect(proxies.cordon);
    const errors = [...result.errors, ...audit.errors.splice(0)];
    results.push({ ...result, errors, audit: audit.counts(id) });
  }
  const seconds = (Date.now() - started) / 1000;
  for (const p of Object.values(proxies)) await p.stop();
  await cluster?.stop();
  await floor?.stop();
  const profile =
    opts.profile && needLongRunning ? summarizeProfiles(proxies.cordon.dir, windows) : undefined;
  const meta = describeRun({ root, tools, opts, cores, seconds, background });
  const { markdown, json } = renderReport(meta, results, profile);
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.md'), markdown);
  writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  return markdown;
}

process.exitCode = await runEntry({
  name: 'bench',
  parse: parseOptions,
  keep: (opts) => opts.keep,
  async run(opts, ctx) {
    const markdown = await runBenchmark({ ...ctx, opts });
    ctx.log('written to bench/results/latest.md and latest.json');
    return markdown;
  },
});
