/**
 * `cordon start` with `workers: 2`, as users run it: both workers serve (the request id in a
 * denial names the process that answered), every record reaches the primary's audit store and
 * access logs whole, file and SIGHUP reloads reach every worker, a refused reload changes nothing,
 * a killed worker is replaced, and SIGTERM drains an in-flight request and exits 0.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { admin, eventually, startCordon, until, viaProxy, workersOf, type Cordon } from './harness.js';

/** squid's native format: time elapsed client code/status bytes method URL user hierarchy type. */
const SQUID_LINE = /^\d+\.\d{3} +\d+ \S+ [A-Z_]+\/\d{3} \d+ [A-Z]+ \S+ - [A-Z_]+\/\S+ -$/;

function policy(origin: Origin, o: { allowApp: boolean }): string {
  return `listen: 127.0.0.1:0
workers: 2
http: { ports: [${origin.port}], allow: [${o.allowApp ? 'app.test' : 'other.test'}] }
dns: { hosts: { app.test: 127.0.0.1 }, allowPrivate: [127.0.0.0/8] }
log: { access: ./access.log, json: ./decisions.jsonl }
admin: { listen: "127.0.0.1:0" }
storage: { dir: ./data }
timeouts: { drainMs: 5000 }
`;
}

interface Decision {
  id: string;
  host: string;
  decision: string;
  policyVersion: number;
}

describe('cordon start with workers: 2', () => {
  let origin: Origin;
  let dir: string;
  let cordon: Cordon;
  let port: number;
  let adminPort: number;
  const app = (): string => `http://app.test:${origin.port}/x`;
  const evil = (): string => `http://evil.test:${origin.port}/x`;

  before(async () => {
    origin = await createHttpOrigin();
    dir = mkdtempSync(join(tmpdir(), 'cordon-cluster-'));
    writeFileSync(join(dir, 'cordon.yaml'), policy(origin, { allowApp: true }));
    cordon = startCordon(['--config', 'cordon.yaml'], dir);
    const starting = await cordon.wait('starting cluster workers');
    assert.equal(starting.workers, 2);
    port = Number(
      String((await cordon.wait('proxy listening')).listen)
        .split(':')
        .pop(),
    );
    adminPort = Number(
      String((await cordon.wait('admin listening')).listen)
        .split(':')
        .pop(),
    );
  });
  after(async () => {
    if (cordon.child.exitCode === null) cordon.child.kill('SIGKILL');
    await origin.close();
  });

  it('serves from both workers; every record reaches the audit store and the access logs whole', async () => {
    const denied = await until(port, evil(), (r) => workersOf(r).size >= 2);
    assert.ok(denied.every((r) => r.status === 403));
    const allowed = await Promise.all(Array.from({ length: 40 }, () => viaProxy(port, app())));
    assert.ok(allowed.every((r) => r.status === 200));
    const total = denied.length + allowed.length;

    const stored = await eventually('every record in the audit store', async () => {
      const page = await admin<{ items: Decision[] }>(adminPort, '/api/v1/decisions?limit=500');
      return page.items.length >= total ? page.items : undefined;
    });
    assert.equal(stored.length, total);
    assert.equal(stored.filter((d) => d.decision === 'deny').length, denied.length);
    assert.equal(new Set(stored.map((d) => d.id.split('-')[0])).size, 2, 'records from both workers');

    const metrics = await admin<string>(adminPort, '/metrics');
    assert.match(metrics, new RegExp(`cordon_requests_total\\{decision="deny",[^}]*\\} ${denied.length}\\b`));

    const lines = await eventually('every access-log line', () => {
      const text = readFileSync(join(dir, 'access.log'), 'utf8');
      const l = text.split('\n').slice(0, -1);
      return Promise.resolve(l.length >= total && text.endsWith('\n') ? l : undefined);
    });
    assert.equal(lines.length, total);
    for (const l of lines) assert.match(l, SQUID_LINE);
    const json = await eventually('every JSON line', () => {
      const text = readFileSync(join(dir, 'decisions.jsonl'), 'utf8');
      const l = text.split('\n').slice(0, -1);
      return Promise.resolve(l.length >= total && text.endsWith('\n') ? l : undefined);
    });
    assert.equal(json.length, total);
    for (const l of json) assert.doesNotThrow(() => JSON.parse(l), l);
  });

  it('a file edit reaches every worker', async () => {
    const reloaded = cordon.wait('policy reloaded');
    writeFileSync(join(dir, 'cordon.yaml'), policy(origin, { allowApp: false }));
    assert.equal((await reloaded).version, 2);
    // Each worker denies app.test once it has the new policy; both must get there.
    const replies = await until(port, app(), (r) => workersOf(r.filter((x) => x.status === 403)).size >= 2);
    assert.ok(replies.every((r) => r.status === 403 || r.status === 200));
    const after = await Promise.all(Array.from({ length: 20 }, () => viaProxy(port, app())));
    assert.deepEqual(new Set(after.map((r) => r.status)), new Set([403]));
  });

  it('a refused reload keeps the last good policy in every worker', async () => {
    const refused = cordon.wait('policy reload failed');
    writeFileSync(join(dir, 'cordon.yaml'), `${policy(origin, { allowApp: true })}bogus: 1\n`);
    await refused;
    const replies = await until(port, app(), (r) => workersOf(r).size >= 2);
    assert.ok(
      replies.every((r) => r.status === 403),
      'app.test still denied by version 2',
    );
    const ids = new Set(replies.map((r) => r.id));
    const stored = await eventually('the denials in the audit store', async () => {
      const page = await admin<{ items: Decision[] }>(adminPort, '/api/v1/decisions?limit=500&host=app.test');
      const mine = page.items.filter((d) => ids.has(d.id));
      return mine.length === ids.size ? mine : undefined;
    });
    assert.ok(stored.every((d) => d.policyVersion === 2));
    const fixed = cordon.wait('policy reloaded');
    writeFileSync(join(dir, 'cordon.yaml'), policy(origin, { allowApp: false }));
    assert.equal((await fixed).version, 3);
  });

  it('SIGHUP reloads every worker', async () => {
    const hup = cordon.wait('policy reloaded', (l) => l.trigger === 'SIGHUP');
    cordon.child.kill('SIGHUP');
    const version = Number((await hup).version);
    // Records carry the policy version that decided them: each worker must reach the new one.
    await eventually('records of the new version from both workers', async () => {
      await Promise.all(Array.from({ length: 16 }, () => viaProxy(port, evil())));
      const page = await admin<{ items: Decision[] }>(
        adminPort,
        '/api/v1/decisions?limit=100&host=evil.test',
      );
      const fresh = page.items.filter((d) => d.policyVersion === version);
      return new Set(fresh.map((d) => d.id.split('-')[0])).size >= 2 ? true : undefined;
    });
  });

  it('replaces a worker that dies', async () => {
    const listening = cordon.lines.filter((l) => l.msg === 'worker listening');
    const pids = listening.map((l) => Number(l.workerPid));
    const victim = pids[0]!;
    const before = workersOf(await until(port, evil(), (r) => workersOf(r).size >= 2));
    const exited = cordon.wait('worker exited; starting a replacement', (l) => l.workerPid === victim);
    process.kill(victim, 'SIGKILL');
    assert.equal((await exited).signal, 'SIGKILL');
    const replacement = await cordon.wait('worker listening', (l) => !pids.includes(Number(l.workerPid)));
    assert.equal(replacement.worker, listening[0]!.worker, 'the replacement takes the same slot');
    const now = workersOf(await until(port, evil(), (r) => workersOf(r).size >= 2));
    assert.equal([...now].filter((w) => !before.has(w)).length, 1, 'one new worker, one old');
  });

  it('SIGTERM drains an in-flight request in a worker, flushes the store, and exits 0', async () => {
    const reloaded = cordon.wait('policy reloaded');
    writeFileSync(join(dir, 'cordon.yaml'), policy(origin, { allowApp: true }));
    await reloaded;
    await until(port, app(), (r) => r.length >= 16 && r.slice(-16).every((x) => x.status === 200));
    const seen = origin.seen.length;
    const inflight = viaProxy(port, `http://app.test:${origin.port}/slow/500`);
    await eventually('the origin to get the slow request', () =>
      Promise.resolve(origin.seen.length > seen ? true : undefined),
    );
    cordon.child.kill('SIGTERM');
    const done = await inflight;
    assert.equal(done.status, 200);
    assert.equal(done.body, 'slow done');
    assert.equal(await cordon.exited, 0);
    assert.ok(readFileSync(join(dir, 'access.log'), 'utf8').includes('/slow/500'));
    const db = new Database(join(dir, 'data', 'audit.db'), { readonly: true });
    try {
      const row = db.prepare("SELECT count(*) AS n FROM decisions WHERE path = '/slow/500'").get() as {
        n: number;
      };
      assert.equal(row.n, 1, 'the drained request is in the audit store');
    } finally {
      db.close();
    }
  });
});
