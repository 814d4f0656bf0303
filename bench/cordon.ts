/**
 * @module bench/cordon
 * Runs Cordon as the benchmark sees it: builds dist/ when a source file is newer than it, writes a
 * cordon.yaml from bench/config/cordon.yaml.tmpl (same allowlists as squid's, SNI check and both
 * access logs on) in a fresh temp folder, starts `node bin/cordon.js start --config FILE` pinned to
 * the server core, and waits for its port. Never changes how the proxy itself works.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchError, BENCH_ERRORS } from './errors.js';
import { ORIGIN_HOST, type Origin } from './origin.js';
import { freePort, spawnListening, type ProcSet } from './procs.js';
import { renderConfig } from './template.js';
import { cordonLimits, prlimitPrefix } from './tuning.js';
import type { ProxyTuning, ProxyUnderTest } from './types.js';

/**
 * The Node flags every launcher of Cordon passes (package.json's start, bin/cordon.js's first line,
 * install-cordon.sh's cordon-start; test/cli/node-flags.test.ts keeps them equal): V8's young
 * generation capped at 4 MiB per half, and one V8 helper thread instead of four, both of which keep
 * a quiet proxy's memory small (README, "Memory").
 */
export const CORDON_NODE_FLAGS = ['--max-semi-space-size=4', '--v8-pool-size=1'] as const;

export interface CordonOptions {
  procs: ProcSet;
  root: string;
  dir: string;
  origin: Origin;
  core: number | undefined;
  /** Run with `--cpu-prof`, writing the profile to `<dir>/profile/` on a clean stop. */
  profile?: boolean;
  /** Raised caps or a small descriptor limit, for scenarios e–g. */
  tuning?: ProxyTuning;
  /** `--workers` (the cluster column runs `auto`, unpinned); unset is the config's single process. */
  workers?: number | 'auto';
  /** The Cordon to run (a folder with its bin/ and dist/), when not `root`'s: bench:ab compares builds. */
  build?: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
      newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Build dist/ with tsconfig.build.json unless it is newer than every source file. */
export async function ensureBuilt(procs: ProcSet, root: string, log: (m: string) => void): Promise<void> {
  const main = join(root, 'dist/cli/main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestSource(join(root, 'src'))) return;
  log('building dist/ (npx tsc -p tsconfig.build.json)');
  const r = await procs.run('tsc', ['npx', 'tsc', '-p', 'tsconfig.build.json'], 300_000, { cwd: root });
  // tsc still emits when another part has a type error; the run can go on if the CLI was built.
  if (r.code !== 0) log(`tsc exited ${r.code}:\n${r.stdout.slice(0, 2000)}`);
  if (!existsSync(main)) throw benchError(BENCH_ERRORS.PROCESS_FAILED, `build did not produce ${main}`);
}

export async function startCordon(o: CordonOptions): Promise<ProxyUnderTest> {
  const port = await freePort();
  const adminPort = await freePort();
  const dir = join(o.dir, `cordon-${port}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'allowhttp.txt'), `${ORIGIN_HOST}\n`);
  writeFileSync(join(dir, 'allowhttps.txt'), `${ORIGIN_HOST}\n`);
  const conf = join(dir, 'cordon.yaml');
  writeFileSync(
    conf,
    renderConfig(o.root, 'cordon.yaml.tmpl', {
      DIR: dir,
      PROXY_PORT: port,
      HTTP_PORT: o.origin.httpPort,
      HTTPS_PORT: o.origin.httpsPort,
      ORIGIN_HOST,
      ADMIN_PORT: adminPort,
      LIMITS: cordonLimits(o.tuning),
    }),
  );
  const prof = o.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`] : [];
  const argv = [
    ...prlimitPrefix(o.tuning),
    process.execPath,
    // As every launcher of Cordon runs it (package.json, bin/cordon.js, install-cordon.sh).
    ...CORDON_NODE_FLAGS,
    ...prof,
    join(o.build ?? o.root, 'bin/cordon.js'),
    'start',
    '--config',
    conf,
    ...(o.workers === undefined ? [] : ['--workers', String(o.workers)]),
  ];
  const proc = await spawnListening(o.procs, 'cordon', argv, port, { core: o.core, cwd: dir });
  return { name: 'cordon', port, adminPort, pid: proc.pid, proc, dir, stop: () => proc.stop() };
}
