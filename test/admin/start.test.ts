/**
 * `cordon start` as an operator runs it, twice on one data folder:
 * - first start: the admin token is generated, saved with mode 0600 and printed once; requests
 *   through the proxy (some denied, one still in flight at SIGTERM) are all in the audit store
 *   after the graceful stop — nothing is lost — and the database is private (0600);
 * - second start: the token is not printed again, still works, and the stored decisions are there.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { httpGet } from '../support/clients.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/audit/sqlite.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';

const CLI = fileURLToPath(new URL('./fixtures/cordon-cli.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  /** Every stderr line so far (pino JSON and the plain `cordon:` lines). */
  lines: string[];
  proxyPort: number;
  adminUrl: string;
  exited: Promise<number | null>;
  /** Resolves when stderr has ended: every line is in `lines`. */
  ended: Promise<void>;
}

/** Start; ready once both listeners are up (and, with `newToken`, the token lines are in). */
async function start(config: string, newToken: boolean): Promise<Running> {
  const env = { ...process.env };
  delete env.CORDON_ADMIN_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'start', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env,
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: string[] = [];
  let ended: () => void = () => undefined;
  const endedP = new Promise<void>((resolve) => (ended = resolve));
  const ready = new Promise<{ proxyPort: number; adminUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${lines.join('\n')}`)), 30_000);
    let proxyPort = 0;
    let adminUrl = '';
    const rl = createInterface({ input: child.stderr });
    rl.on('close', ended);
    rl.on('line', (line) => {
      lines.push(line);
      if (line.includes('"msg":"proxy listening"')) {
        proxyPort = Number(
          String((JSON.parse(line) as { listen: string }).listen)
            .split(':')
            .pop(),
        );
      }
      adminUrl ||= /^cordon: admin UI and API at (http:\/\/\S+)\/$/.exec(line)?.[1] ?? '';
      const at = lines.findIndex((l) => l.startsWith('cordon: generated the admin token'));
      if (proxyPort > 0 && adminUrl !== '' && (!newToken || (at >= 0 && lines.length > at + 1))) {
        clearTimeout(timer);
        resolve({ proxyPort, adminUrl });
      }
    });
    child.on('exit', () => reject(new Error(`exited early:\n${lines.join('\n')}`)));
  });
  return { child, lines, exited, ended: endedP, ...(await ready) };
}

describe('cordon start with the audit store and admin listener', () => {
  let origin: Origin;
  let dir: string;
  let config: string;
  let token = '';
  const running: Running[] = [];

  before(async () => {
    origin = await createHttpOrigin();
    dir = mkdtempSync(join(tmpdir(), 'cordon-start-'));
    config = join(dir, 'cordon.yaml');
    writeFileSync(
      config,
      `listen: 127.0.0.1:0
http: { ports: [${origin.port}], allow: [deps.test] }
dns: { hosts: { deps.test: 127.0.0.1, other.test: 127.0.0.1 }, allowPrivate: [127.0.0.0/8] }
log: { json: null }
timeouts: { drainMs: 5000 }
admin: { listen: 127.0.0.1:0 }
storage: { dir: ./data }
`,
    );
  });
  after(async () => {
    for (const r of running) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await origin.close();
  });

  it('prints a new token once, and a graceful stop keeps every decision', async () => {
    const r = await start(config, true);
    running.push(r);
    const at = r.lines.findIndex((l) => l.startsWith('cordon: generated the admin token'));
    assert.ok(at >= 0, r.lines.join('\n'));
    const tokenFile = join(dir, 'data', 'admin-token');
    assert.match(r.lines[at] ?? '', new RegExp(`saved to ${tokenFile}, mode 0600`));
    token = (r.lines[at + 1] ?? '').trim();
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), token);
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);

    for (let i = 0; i < 20; i++) {
      assert.equal((await httpGet(r.proxyPort, `http://deps.test:${origin.port}/ok/${i}`)).status, 200);
      assert.equal((await httpGet(r.proxyPort, `http://other.test:${origin.port}/no/${i}`)).status, 403);
    }
    const seen = origin.seen.length;
    const inflight = httpGet(r.proxyPort, `http://deps.test:${origin.port}/slow/300`);
    await new Promise<void>((resolve) => {
      const poll = (): void => (origin.seen.length > seen ? resolve() : void setImmediate(poll));
      poll();
    });
    r.child.kill('SIGTERM');
    assert.equal((await inflight).status, 200);
    assert.equal(await r.exited, 0);

    const path = join(dir, 'data', 'audit.db');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const db = openDatabase(path);
    const count = (sql: string): number => Number(db.prepare<{ n: number }>(sql).get()?.n);
    assert.equal(count('SELECT count(*) n FROM decisions'), 41, 'every decision, the drained one too');
    assert.equal(count("SELECT count(*) n FROM decisions WHERE decision = 'deny'"), 20);
    assert.equal(count("SELECT count(*) n FROM decisions WHERE path = '/slow/300' AND status = 200"), 1);
    assert.equal(count("SELECT count n FROM review WHERE host = 'other.test'"), 20);
    db.close();
  });

  it('does not print the token again; it still works and the decisions are kept', async () => {
    const r = await start(config, false);
    running.push(r);
    const port = Number(new URL(r.adminUrl).port);
    assert.equal((await httpGet(port, '/api/v1/decisions')).status, 401);
    const res = await httpGet(port, '/api/v1/decisions?limit=500', { authorization: `Bearer ${token}` });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { items: unknown[] }).items.length, 41);
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    await r.ended;
    assert.ok(!r.lines.some((l) => l.includes('generated the admin token') || l.includes(token)));
  });
});
