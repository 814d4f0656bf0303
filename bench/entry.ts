/**
 * @module bench/entry
 * The frame the benchmark's entries (run.ts, ab.ts) run in: parse the arguments (a bad one exits 2
 * with its message), a stderr log stamped with the seconds since the start, a ProcSet and a temp
 * folder, and on success, failure and Ctrl-C/SIGTERM/SIGHUP (exit 130) every process killed and the
 * folder removed (unless kept). What `run` returns goes to stdout. Also which core runs what.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../src/errors.js';
import { createProcSet, type ProcSet } from './procs.js';
import type { Cores } from './types.js';

/** Load on core 0, the proxies and the origin on core 1; unpinned on a machine with one core. */
export function pickCores(): Cores {
  return availableParallelism() >= 2 ? { load: 0, server: 1 } : { load: undefined, server: undefined };
}

export interface EntryContext {
  /** The repository: bench/ assets, config templates, load generators. */
  root: string;
  dir: string;
  procs: ProcSet;
  log: (m: string) => void;
}

export interface Entry<O> {
  /** Log prefix and temp-folder name: `[name +Ns]`, `cordon-name-XXXX`. */
  name: string;
  parse(argv: string[]): O;
  /** Keep the temp folder at the end (and say where). */
  keep?(opts: O): boolean;
  run(opts: O, ctx: EntryContext): Promise<string>;
}

export async function runEntry<O>(e: Entry<O>): Promise<number> {
  let opts: O;
  try {
    opts = e.parse(process.argv.slice(2));
  } catch (err: unknown) {
    process.stderr.write(`${errorMessage(err)}\n`);
    return 2;
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const t0 = Date.now();
  const log = (m: string): void =>
    void process.stderr.write(`[${e.name} +${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}\n`);
  const procs = createProcSet();
  const dir = mkdtempSync(join(tmpdir(), `cordon-${e.name}-`));
  chmodSync(dir, 0o755); // squid runs as its own user and must reach its subfolder
  const keep = e.keep?.(opts) ?? false;
  const removeDir = (): void => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', () => {
    procs.killAllNow();
    removeDir();
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      log(`${sig}: stopping everything this run started`);
      process.exit(130); // the exit handler above kills and cleans up
    });
  }
  try {
    process.stdout.write(`${await e.run(opts, { root, dir, procs, log })}\n`);
    return 0;
  } catch (err: unknown) {
    log(`failed: ${errorMessage(err)}`);
    return 1;
  } finally {
    await procs.stopAll();
    removeDir();
    if (keep) log(`kept ${dir}`);
  }
}
