/**
 * @module test/proxy/gateway-child
 * The whole gateway (`cordon start` from source: proxy, access logs, audit store, admin listener) as
 * a child process with a descriptor limit of its own, its pino log lines (stderr) and its JSON
 * decision records (stdout) collected as they come. The limit is set (`prlimit`) once the gateway
 * listens, not before it starts: loading the sources through tsx opens many files at once, and
 * under a low limit on a busy machine that start-up itself failed with EMFILE now and then.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AccessRecord } from '../../src/proxy/records.js';
import { readLogLines, type LogLine } from '../support/log-lines.js';

const CLI = join(import.meta.dirname, 'fixtures', 'cordon-cli.ts');

export interface GatewayChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logs: LogLine[];
  readonly records: AccessRecord[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** Wait for the next log line with `msg` (see test/support/log-lines.ts). */
  logged(msg: string, timeoutMs?: number): Promise<LogLine>;
}

/** The soft and hard "Max open files" of process `pid`, from /proc. */
function nofileOf(pid: number): [number, number] {
  const line = /^Max open files\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  if (line === null) throw new Error(`no descriptor limit in /proc/${pid}/limits`);
  return [Number(line[1]), Number(line[2])];
}

/**
 * Write `yaml` to `dir/cordon.yaml`, start `cordon start` on it, and once it listens limit it to
 * `nofile` descriptors (soft and hard).
 */
export async function startGatewayChild(dir: string, yaml: string, nofile: number): Promise<GatewayChild> {
  const config = join(dir, 'cordon.yaml');
  writeFileSync(config, yaml);
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '-c', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CORDON_LOG_LEVEL: 'info' },
  });
  // The last stderr chunks as written: a child that dies before its logger starts says why here.
  const raw: string[] = [];
  child.stderr.on('data', (d: Buffer) => {
    raw.push(d.toString());
    if (raw.length > 8) raw.shift();
  });
  const log = readLogLines(child.stderr, 15_000);
  const records: AccessRecord[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      records.push(JSON.parse(line) as AccessRecord);
    } catch {
      // Not a JSON record.
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logged = (msg: string, timeoutMs?: number): Promise<LogLine> => log.wait(msg, undefined, timeoutMs);
  const listening = await Promise.race([
    logged('proxy listening'),
    exited.then((code) =>
      Promise.reject(new Error(`cordon exited with ${code} before listening: ${raw.join('').slice(-600)}`)),
    ),
  ]);
  const port = Number(String(listening.listen).split(':').pop());
  const pid = child.pid ?? 0;
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${nofile}:${nofile}`]);
    const limit = nofileOf(pid);
    if (limit[0] !== nofile || limit[1] !== nofile) throw new Error(`prlimit left ${limit.join('/')}`);
  } catch (e: unknown) {
    // Not limited, the test would prove nothing: stop the child rather than leave it behind.
    child.kill('SIGKILL');
    throw e;
  }
  return {
    child,
    port,
    logs: log.lines,
    records,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    logged,
  };
}
