/**
 * @module test/proxy/gateway-child
 * The whole gateway (`cordon start` from source: proxy, access logs, audit store, admin listener) as
 * a child process with a descriptor limit of its own (`ulimit -n`, set by the shell that execs
 * node), its pino log lines (stderr) and its JSON decision records (stdout) collected as they come.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AccessRecord } from '../../src/proxy/records.js';

const CLI = join(import.meta.dirname, 'fixtures', 'cordon-cli.ts');

export interface GatewayChild {
  readonly child: ChildProcess;
  readonly port: number;
  readonly logs: Record<string, unknown>[];
  readonly records: AccessRecord[];
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  alive(): boolean;
  /** Wait for a log line with `msg` (any, not only new ones). */
  logged(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function jsonLines<T>(input: NodeJS.ReadableStream, into: T[], onLine: () => void): void {
  createInterface({ input }).on('line', (line) => {
    try {
      into.push(JSON.parse(line) as T);
    } catch {
      return;
    }
    onLine();
  });
}

/** Write `yaml` to `dir/cordon.yaml` and start `cordon start` on it with at most `nofile` descriptors. */
export async function startGatewayChild(dir: string, yaml: string, nofile: number): Promise<GatewayChild> {
  const config = join(dir, 'cordon.yaml');
  writeFileSync(config, yaml);
  const child = spawn(
    'sh',
    [
      '-c',
      'ulimit -n "$0" && exec "$@"',
      String(nofile),
      process.execPath,
      '--import',
      'tsx',
      CLI,
      'start',
      '-c',
      config,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CORDON_LOG_LEVEL: 'info' } },
  );
  const logs: Record<string, unknown>[] = [];
  const records: AccessRecord[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const w of waiters) w();
  };
  jsonLines(child.stderr, logs, wake);
  jsonLines(child.stdout, records, wake);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const logged = (msg: string, timeoutMs = 15_000): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = logs.find((l) => l.msg === msg);
        if (hit === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no "${msg}" log line in time; saw ${JSON.stringify(logs.map((l) => l.msg))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const listening = await Promise.race([
    logged('proxy listening'),
    exited.then((code) => Promise.reject(new Error(`cordon exited with ${code} before listening`))),
  ]);
  const port = Number(String(listening.listen).split(':').pop());
  return {
    child,
    port,
    logs,
    records,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    logged,
  };
}
