/**
 * @module test/cluster/harness
 * Runs the real `cordon start` (from the TypeScript sources, through test/cluster/entry.ts) as a
 * child process and talks to it: its pino log lines on stderr, requests through the proxy with a
 * fresh connection each (so the kernel spreads them over the workers), the admin API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { httpGet } from '../support/clients.js';
import { readLogLines, type LogLine } from '../support/log-lines.js';

const ENTRY = join(import.meta.dirname, 'entry.ts');
const TSX = import.meta.resolve('tsx');
/** Admin token given through the environment, so the test need not read it from the log. */
export const TOKEN = 'cluster-test-token-0123456789abcdef0123456789';

export type { LogLine };

export interface Cordon {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly lines: LogLine[];
  /** The first log line with `msg` (and matching `where`) after the ones already taken. */
  wait(msg: string, where?: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Everything printed to stderr that was not a log line (usage errors, the admin URL). */
  readonly text: string[];
}

export function startCordon(args: string[], cwd: string): Cordon {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY, 'start', ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CORDON_ADMIN_TOKEN: TOKEN },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logs = readLogLines(child.stderr);
  return {
    child,
    exited,
    lines: logs.lines,
    text: logs.text,
    wait: logs.wait,
  };
}

export interface Reply {
  status: number;
  body: string;
  /** `X-Cordon-Request-Id` (denials carry it). */
  id: string | undefined;
  /** The worker that answered: the id's process prefix. */
  worker: string | undefined;
}

/** One GET through the proxy on a new connection. */
export async function viaProxy(port: number, url: string): Promise<Reply> {
  const { status, headers, body } = await httpGet(port, url);
  const h = headers['x-cordon-request-id'];
  const id = typeof h === 'string' ? h : undefined;
  return { status, body, id, worker: id?.split('-')[0] };
}

/**
 * Send rounds of concurrent requests until `done(replies so far)` holds, or fail at the deadline.
 * With SCHED_NONE the kernel picks the worker, so it takes a few rounds for every worker to answer.
 */
export async function until(
  port: number,
  url: string,
  done: (replies: Reply[]) => boolean,
  timeoutMs = 20_000,
): Promise<Reply[]> {
  const replies: Reply[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(replies)) {
    if (Date.now() > deadline) {
      throw new Error(`gave up after ${replies.length} requests: ${JSON.stringify(summary(replies))}`);
    }
    replies.push(...(await Promise.all(Array.from({ length: 16 }, () => viaProxy(port, url)))));
  }
  return replies;
}

/** Count of replies per (worker, status). */
export function summary(replies: readonly Reply[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies)
    out[`${r.worker ?? '?'} ${r.status}`] = (out[`${r.worker ?? '?'} ${r.status}`] ?? 0) + 1;
  return out;
}

export const workersOf = (replies: readonly Reply[]): Set<string> =>
  new Set(replies.flatMap((r) => (r.worker === undefined ? [] : [r.worker])));

/** GET the admin API with the token; parsed JSON. */
export function admin<T>(port: number, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode} ${body}`));
          else resolve((path.startsWith('/metrics') ? body : JSON.parse(body)) as T);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Poll `fn` until it returns a value other than undefined, or fail at the deadline. */
export async function eventually<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
