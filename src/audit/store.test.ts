/**
 * The audit store: batching off the request path, nothing lost on close, a bounded queue that
 * counts drops, retention by age and count, aggregates, and the decision queries.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { denial, record } from '../../test/admin/fixtures/records.js';
import { openDatabase } from './sqlite.js';
import { createAuditStore, type AuditStoreOptions } from './store.js';
import {
  clientDestinations,
  listClients,
  queryDecisions,
  topDestinations,
  totals,
  trafficSeries,
} from './store-queries.js';

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'cordon-audit-')), 'audit.db');
const open = (over: Partial<AuditStoreOptions> = {}) => createAuditStore({ path: tempDb(), ...over });

function waitForFlush(store: ReturnType<typeof open>, timeoutMs = 5000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no flush within the deadline')), timeoutMs);
    const off = store.onFlush((n) => {
      clearTimeout(timer);
      off();
      resolve(n);
    });
  });
}

describe('audit store', () => {
  it('keeps add() off the disk and writes on its timer', async () => {
    const store = open({ flushMs: 20 });
    store.add(record());
    assert.equal(store.stats().queued, 1);
    assert.equal(store.stats().written, 0);
    assert.equal(await waitForFlush(store), 1);
    assert.equal(queryDecisions(store.db, {}).items.length, 1);
    await store.close();
  });

  it('loses nothing on a graceful close', async () => {
    const path = tempDb();
    const store = createAuditStore({ path, flushMs: 60_000, batchSize: 100 });
    for (let i = 0; i < 1234; i++) store.add(record({ client: `10.0.0.${i % 4}` }));
    await store.close();
    assert.equal(statSync(path).mode & 0o777, 0o600, 'the database is private to its owner');
    const db = openDatabase(path);
    assert.deepEqual(db.prepare('SELECT count(*) n FROM decisions').get(), { n: 1234 });
    db.close();
  });

  it('drops past maxQueue, counts and logs the drops, and never throws', async () => {
    const warnings: object[] = [];
    const logger = { warn: (o: object) => warnings.push(o), error: () => undefined };
    const store = open({ maxQueue: 10, flushMs: 60_000, batchSize: 1000, logger });
    const accepted = Array.from({ length: 15 }, () => store.add(record())).filter(Boolean).length;
    assert.equal(accepted, 10);
    assert.equal(store.stats().dropped, 5);
    assert.equal(warnings.length, 1, 'drops are logged, rate-limited');
    await store.close();
    assert.equal(store.add(record()), false, 'add after close is refused, not thrown');
  });

  it('prunes by count and by age', async () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    const store = open({ maxDecisions: 100, maxAgeDays: 7, now: () => now });
    const old = new Date(now - 8 * 86_400_000).toISOString();
    for (let i = 0; i < 20; i++) store.add(record({ time: old, id: `old-${i}` }));
    for (let i = 0; i < 230; i++)
      store.add(record({ time: new Date(now - i).toISOString(), id: `new-${i}` }));
    store.flush();
    assert.equal(store.prune(), 150);
    const left = queryDecisions(store.db, { limit: 500 }).items;
    assert.equal(left.length, 100);
    assert.ok(left.every((d) => d.id.startsWith('new-')));
    assert.equal(left[0]?.id, 'new-229', 'the newest are kept');
    await store.close();
  });

  it('aggregates per destination and client, and groups denials for review', async () => {
    const store = open();
    const t0 = Date.now() - 60_000;
    store.add(record({ client: '10.0.0.1', bytesDown: 500 }));
    store.add(denial('pypi.test', { client: '10.0.0.1', time: new Date(t0).toISOString() }));
    store.add(denial('pypi.test', { client: '10.0.0.2', group: 'team-a' }));
    store.add(denial('pypi.test', { scheme: 'https', port: 443, method: 'CONNECT' }));
    store.add(denial('x.test', { reason: 'port_not_allowed', port: 8080 }));
    store.add(
      record({
        host: 'learn.test',
        mode: 'report',
        wouldDeny: true,
        reason: 'not_allowlisted',
        group: 'team-a',
      }),
    );
    store.flush();
    const top = topDestinations(store.db, 'denied');
    assert.deepEqual(
      top.map((d) => [d.scheme, d.host, d.port, d.denied]),
      [
        ['http', 'pypi.test', 80, 2],
        ['https', 'pypi.test', 443, 1],
        ['http', 'x.test', 8080, 1],
      ],
    );
    const review = store.db
      .prepare('SELECT scheme, host, port, count, first_seen FROM review ORDER BY id')
      .all();
    assert.deepEqual(
      review.map((r) => [r.scheme, r.host, r.port, r.count]),
      [
        ['http', 'pypi.test', 80, 2],
        ['https', 'pypi.test', 443, 1],
      ],
      'only denials an allowlist entry can fix are queued',
    );
    assert.equal(review[0]?.first_seen, t0);
    const clients = store.db
      .prepare('SELECT client, grp FROM review_clients WHERE review_id = 1 ORDER BY client')
      .all();
    assert.deepEqual(clients, [
      { client: '10.0.0.1', grp: 'default' },
      { client: '10.0.0.2', grp: 'team-a' },
    ]);
    assert.deepEqual(store.db.prepare('SELECT grp, host, count FROM observed').all(), [
      { grp: 'team-a', host: 'learn.test', count: 1 },
    ]);
    assert.deepEqual(totals(store.db), { allowed: 2, denied: 4, wouldDeny: 1 });
    const c1 = listClients(store.db).find((c) => c.client === '10.0.0.1');
    assert.equal(c1?.bytesDown, 500);
    assert.deepEqual(
      clientDestinations(store.db, '10.0.0.1').map((d) => [d.host, d.count, d.denied]),
      [
        ['example.org', 1, 0],
        ['pypi.test', 1, 1],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    const series = trafficSeries(store.db, Date.now(), 5);
    assert.equal(series.length, 5);
    assert.equal(
      series.reduce((s, p) => s + p.allowed + p.denied, 0),
      6,
    );
    await store.close();
  });

  it('stores every field of a decision as it was recorded', async () => {
    const store = open();
    // Distinct values everywhere, so a column written in another's place shows.
    const sent = record({
      time: '2026-03-04T05:06:07.089Z',
      id: 'rt-1',
      client: '10.0.0.77',
      method: 'PUT',
      scheme: 'https',
      host: 'round.trip.test',
      port: 8443,
      path: '/a/b',
      mode: 'report',
      wouldDeny: true,
      reason: 'not_allowlisted',
      rule: 'rule-text',
      group: 'group-x',
      resolved: '192.0.2.7',
      status: 207,
      bytesUp: 11,
      bytesDown: 22,
      dnsMs: 3.5,
      connectMs: 4.25,
      durationMs: 5.125,
      policyVersion: 6,
    });
    store.add(sent);
    store.flush();
    const [got] = queryDecisions(store.db, {}).items;
    assert.ok(got);
    const { seq, ...fields } = got;
    assert.ok(seq > 0);
    assert.deepEqual(fields, sent);
    await store.close();
  });

  it('filters and paginates decisions newest first', async () => {
    const store = open();
    for (let i = 0; i < 25; i++) {
      store.add(i % 5 === 0 ? denial('d.test', { client: '10.0.0.9' }) : record({ id: `r${i}` }));
    }
    store.flush();
    const page1 = queryDecisions(store.db, { limit: 10 });
    assert.equal(page1.items.length, 10);
    assert.ok(page1.next !== null);
    const page2 = queryDecisions(store.db, { limit: 10, before: page1.next });
    const page3 = queryDecisions(store.db, { limit: 10, before: page2.next ?? 0 });
    assert.equal(page3.items.length, 5);
    assert.equal(page3.next, null);
    const seqs = [...page1.items, ...page2.items, ...page3.items].map((d) => d.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => b - a),
    );
    assert.equal(new Set(seqs).size, 25);
    const denied = queryDecisions(store.db, { decision: 'deny', client: '10.0.0.9', host: 'd.test' });
    assert.equal(denied.items.length, 5);
    assert.ok(denied.items.every((d) => d.decision === 'deny' && !d.wouldDeny));
    const none = queryDecisions(store.db, { since: Date.now() + 60_000 });
    assert.equal(none.items.length, 0);
    await store.close();
  });
});
