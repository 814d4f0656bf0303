/**
 * @module test/adversarial/harness-client
 * The suite's side of the control channel: start the harness inside the namespace, call its
 * operations, and stop it. A harness that dies fails every pending call with its stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { ControlResponse, HarnessInfo, OpName, Ops } from './protocol.js';

const HARNESS = fileURLToPath(new URL('./harness.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const START_DEADLINE_MS = 20_000;

export interface Harness {
  readonly info: HarnessInfo;
  call<K extends OpName>(op: K, args: Ops[K]['args']): Promise<Ops[K]['result']>;
  stop(): Promise<void>;
}

type Pending = { resolve(v: unknown): void; reject(e: Error): void };

export async function startHarness(ns: string): Promise<Harness> {
  const child: ChildProcess = spawn(
    'ip',
    ['netns', 'exec', ns, process.execPath, '--import', 'tsx', HARNESS],
    {
      cwd: REPO,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let ready: (info: HarnessInfo) => void = () => undefined;
  const started = new Promise<HarnessInfo>((resolve) => (ready = resolve));
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code) => {
      const e = new Error(`harness exited (${code}): ${stderr}`);
      for (const p of pending.values()) p.reject(e);
      pending.clear();
      reject(e);
    });
  });
  died.catch(() => undefined);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as ControlResponse;
    if ('ready' in msg) return ready(msg.ready);
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if ('error' in msg) p?.reject(new Error(msg.error));
    else p?.resolve(msg.result);
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`harness not ready in time: ${stderr}`)), START_DEADLINE_MS);
  });
  const info = await Promise.race([started, died, deadline]).finally(() => clearTimeout(timer));
  return {
    info,
    call(op, args) {
      const id = ++nextId;
      const result = new Promise<never>((resolve, reject) => pending.set(id, { resolve, reject }));
      child.stdin?.write(`${JSON.stringify({ id, op, args })}\n`);
      return Promise.race([result, died]);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin?.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}
