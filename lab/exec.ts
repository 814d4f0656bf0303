/**
 * @module lab/exec
 * Running commands for the lab: one-shot commands with their output, long-lived processes started
 * detached inside a namespace (so they outlive `npm run lab`), and waits with deadlines. Knows
 * nothing about the lab's plan.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { LAB_ERRORS, LabError } from './errors.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Kill the command after this long (default 120 s). */
  timeoutMs?: number;
}

/** Run a command to completion; never throws for a non-zero exit (see `runOk`). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
      killSignal: 'SIGKILL',
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal === null ? 1 : 128),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
    child.stdin.end(opts.input ?? '');
  });
}

/** Run a command and throw `CORDON_LAB_COMMAND_FAILED` with its stderr when it exits non-zero. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-8).join('\n');
    throw new LabError(LAB_ERRORS.commandFailed, `${cmd} ${args.join(' ')} exited ${r.code}:\n${detail}`);
  }
  return r;
}

/**
 * Start `argv` inside network namespace `ns`, detached, with stdout and stderr appended to
 * `logFile`. `ip netns exec` execs the command, so the returned pid is the command's own.
 */
export function spawnInNetns(
  ns: string,
  argv: readonly string[],
  logFile: string,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): number {
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    child.on('error', () => undefined);
    child.unref();
    if (child.pid === undefined) {
      throw new LabError(LAB_ERRORS.commandFailed, `could not start ${argv.join(' ')} in ${ns}`);
    }
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** True while process `pid` exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '(no output)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Poll `check` until it returns true or the deadline passes. `fail` is consulted on each round and
 * can end the wait early with a reason (e.g. the process being waited for has died).
 */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; fail?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let pause = 20;
  for (;;) {
    if (await check()) return;
    const failure = opts.fail?.();
    if (failure !== undefined) throw new LabError(LAB_ERRORS.commandFailed, `${what}: ${failure}`);
    if (Date.now() > deadline) throw new LabError(LAB_ERRORS.timeout, `timed out waiting for ${what}`);
    await delay(pause);
    pause = Math.min(pause * 2, 250);
  }
}

/** Wait until something in namespace `ns` listens on `addr:port` (TCP or UDP), seen by `ss`. */
export async function waitListening(
  ns: string,
  proto: 'tcp' | 'udp',
  addr: string,
  port: number,
  pid: number,
  logFile: string,
): Promise<void> {
  const flag = proto === 'tcp' ? '-Hlnt' : '-Hlnu';
  await waitFor(
    `${proto} ${addr}:${port} in ${ns}`,
    async () => {
      const r = await run('ip', ['netns', 'exec', ns, 'ss', flag, `sport = :${port}`]);
      return r.stdout.split('\n').some((l) => l.includes(`${addr}:${port}`) || l.includes(`*:${port}`));
    },
    { fail: () => (alive(pid) ? undefined : `the process exited:\n${tail(logFile)}`) },
  );
}
