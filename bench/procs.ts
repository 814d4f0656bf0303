/**
 * @module bench/procs
 * Every process the benchmark starts goes through one ProcSet: spawned in its own process group,
 * pinned to a core with `taskset`, with a raised fd limit, its output kept (the tail) for error
 * messages, and killed by pid group on stop, failure or Ctrl-C. Never signals a process it did not start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { benchError, BENCH_ERRORS } from './errors.js';

export interface SpawnOptions {
  /** Core to pin to with `taskset -c`; undefined runs unpinned. */
  core?: number | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface Proc {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<number | null>;
  /** The next stdout line not consumed yet; rejects on exit or after `timeoutMs`. */
  nextLine(timeoutMs: number): Promise<string>;
  /** Last few KiB of stdout and stderr, for error messages. */
  tail(): string;
  /** SIGTERM the group, SIGKILL it after `graceMs`, wait for the exit. */
  stop(graceMs?: number): Promise<void>;
}

export interface ProcSet {
  spawn(name: string, argv: string[], opts?: SpawnOptions): Proc;
  /** Spawn, collect the whole stdout, wait for the exit (killed after `timeoutMs`). */
  run(name: string, argv: string[], timeoutMs: number, opts?: SpawnOptions): Promise<RunResult>;
  /** Stop every live process (in reverse start order). */
  stopAll(): Promise<void>;
  /** SIGKILL every live process group now: for exit and signal handlers, which cannot wait. */
  killAllNow(): void;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const TAIL_BYTES = 8192;
// A fd limit for load generators and proxies holding 1,000 tunnels (each a client and an upstream fd).
const LAUNCHER = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; ';

function launcherArgs(argv: string[], core: number | undefined): string[] {
  if (core === undefined) return ['-c', `${LAUNCHER}exec "$@"`, 'bench', ...argv];
  return ['-c', `${LAUNCHER}exec taskset -c "$0" "$@"`, String(core), ...argv];
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

interface Output {
  tail: () => string;
  nextLine: (timeoutMs: number) => Promise<string>;
  /** The process exited: a pending or later nextLine() fails once the buffered lines are used up. */
  ended: () => void;
}

/** Keeps the tail of stdout + stderr and hands out stdout lines in order. */
function captureOutput(child: ChildProcess, name: string): Output {
  let tail = '';
  let partial = '';
  const lines: string[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  const keep = (s: string): void => {
    tail = (tail + s).slice(-TAIL_BYTES);
  };
  child.stdout?.setEncoding('utf8').on('data', (s: string) => {
    keep(s);
    const parts = (partial + s).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    wake?.();
  });
  child.stderr?.setEncoding('utf8').on('data', keep);
  const nextLine = (timeoutMs: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        wake = null;
        reject(benchError(BENCH_ERRORS.TIMEOUT, `${name}: no output within ${timeoutMs} ms\n${tail}`));
      }, timeoutMs);
      const check = (): void => {
        const line = lines.shift();
        if (line === undefined && !done) return;
        clearTimeout(timer);
        wake = null;
        if (line !== undefined) resolve(line);
        else reject(benchError(BENCH_ERRORS.PROCESS_FAILED, `${name} exited early:\n${tail}`));
      };
      wake = check;
      check();
    });
  return {
    tail: () => tail,
    nextLine,
    ended: () => {
      done = true;
      wake?.();
    },
  };
}

function createProc(name: string, argv: string[], opts: SpawnOptions): Proc {
  const child = spawn('bash', launcherArgs(argv, opts.core), {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw benchError(BENCH_ERRORS.PROCESS_FAILED, `could not start ${name}`);
  const pid = child.pid;
  const out = captureOutput(child, name);
  let done = false;
  child.stdin.on('error', () => undefined); // a child that exits early closes its stdin
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(null));
    child.on('exit', (code) => {
      done = true;
      out.ended();
      resolve(code);
    });
  });
  return {
    name,
    pid,
    child,
    exited,
    tail: out.tail,
    nextLine: out.nextLine,
    async stop(graceMs = 5000) {
      if (done) return;
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(pid, 'SIGKILL'); // anything the process left behind in its group
    },
  };
}

export function createProcSet(): ProcSet {
  const live = new Set<Proc>();
  const set: ProcSet = {
    spawn(name, argv, opts = {}) {
      const p = createProc(name, argv, opts);
      live.add(p);
      void p.exited.then(() => live.delete(p));
      return p;
    },
    async run(name, argv, timeoutMs, opts = {}) {
      const p = set.spawn(name, argv, opts);
      p.child.stdin?.end();
      let stdout = '';
      let stderr = '';
      p.child.stdout?.on('data', (s: string) => (stdout += s));
      p.child.stderr?.on('data', (s: string) => (stderr += s));
      const timer = setTimeout(() => void p.stop(1000), timeoutMs);
      const code = await p.exited;
      clearTimeout(timer);
      return { code, stdout, stderr };
    },
    async stopAll() {
      for (const p of [...live].reverse()) await p.stop();
    },
    killAllNow() {
      for (const p of live) killGroup(p.pid, 'SIGKILL');
    },
  };
  return set;
}

/** Resolve once `host:port` accepts a TCP connection; reject at the deadline or if `proc` exits. */
export async function waitForPort(host: string, port: number, timeoutMs: number, proc?: Proc): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc?.exited.then(() => (exited = true));
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (exited) throw benchError(BENCH_ERRORS.PROCESS_FAILED, `${proc?.name} exited:\n${proc?.tail()}`);
    if (Date.now() > deadline) {
      throw benchError(BENCH_ERRORS.TIMEOUT, `nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50)); // poll interval, bounded by the deadline above
  }
}

/**
 * Spawn a server and wait until it listens on 127.0.0.1:`port` (30 s); if it never does, stop it and
 * rethrow, through `explain` when the caller has more to say (squid's cache.log, say).
 */
export async function spawnListening(
  procs: ProcSet,
  name: string,
  argv: string[],
  port: number,
  opts: SpawnOptions = {},
  explain: (e: unknown) => Error = (e) => e as Error,
): Promise<Proc> {
  const proc = procs.spawn(name, argv, opts);
  try {
    await waitForPort('127.0.0.1', port, 30_000, proc);
  } catch (e: unknown) {
    await proc.stop();
    throw explain(e);
  }
  return proc;
}

/** A port free on 127.0.0.1 right now (for configs that need a fixed port, like squid's). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
