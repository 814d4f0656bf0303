/**
 * @module test/support/gateway
 * A gateway started from a real cordon.yaml in a temp folder, with helpers to rewrite its files
 * atomically (as editors and config management do) and wait for the reload.
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createGateway, type Gateway } from '../../src/gateway/gateway.js';

export interface TestGateway {
  readonly gateway: Gateway;
  readonly dir: string;
  readonly port: number;
  readonly url: string;
  /** Write a file in the config folder atomically (temp file + rename). */
  write(name: string, content: string): void;
  /** Resolves with the next reload's outcome (ok or failed), or rejects after the deadline. */
  nextReload(timeoutMs?: number): Promise<'ok' | 'failed'>;
  stop(): Promise<void>;
}

export async function startTestGateway(files: Record<string, string>): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-gw-'));
  const write = (name: string, content: string): void => {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, content);
    renameSync(tmp, join(dir, name));
  };
  for (const [name, content] of Object.entries(files)) write(name, content);
  const waiters: ((r: 'ok' | 'failed') => void)[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        const msg = (JSON.parse(line) as { msg?: string }).msg;
        if (msg === 'policy reloaded' || msg === 'policy reload failed') {
          for (const w of waiters.splice(0)) w(msg === 'policy reloaded' ? 'ok' : 'failed');
        }
      },
    },
  );
  const gateway = createGateway({ configPath: join(dir, 'cordon.yaml'), listen: '127.0.0.1:0', logger });
  const { proxy } = await gateway.start();
  return {
    gateway,
    dir,
    port: proxy.port,
    url: `http://127.0.0.1:${proxy.port}`,
    write,
    nextReload(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reload within the deadline')), timeoutMs);
        waiters.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    stop: () => gateway.stop(),
  };
}
