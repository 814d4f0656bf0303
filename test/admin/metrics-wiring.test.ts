/**
 * /metrics fed by real traffic through a real gateway: requests by decision, reason and scheme,
 * bytes each way, DNS and connect latency, active tunnels (while one is open), reloads and reload
 * failures (file edits), and audit drops when the store's queue is full. Each figure is checked
 * against the access records the gateway emitted, so a broken wire fails here even when the metric
 * names are all present.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AccessRecord } from '../../src/proxy/records.js';
import { httpGet } from '../support/clients.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { startAdminFixture, type AdminFixture } from './fixtures/admin.js';

/** The value of one sample: `name` with exactly these labels (any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m?.[1] !== name) continue;
    if ((m[2] ?? '').split(',').filter(Boolean).sort().join(',') === want) return Number(m[3]);
  }
  return 0;
}

const config = (port: number, extra = ''): string => `log: { json: null }
http: { ports: [${port}], allow: [deps.test] }
https: { ports: [${port}], allow: [deps.test] }
dns: { hosts: { deps.test: 127.0.0.1 }, allowPrivate: [127.0.0.0/8] }
tls: { requireTls: false }
${extra}`;

const status = async (proxyPort: number, url: string): Promise<number> =>
  (await httpGet(proxyPort, url)).status;

/** A CONNECT tunnel with one plain request through it; resolves once the answer's body is in. */
function tunnel(proxyPort: number, host: string, bytes: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: proxyPort });
    let buf = '';
    let stage: 'connect' | 'body' = 'connect';
    s.setEncoding('latin1');
    s.on('error', reject);
    s.write(`CONNECT ${host} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    s.on('data', (c: string) => {
      buf += c;
      if (stage === 'connect' && buf.includes('\r\n\r\n')) {
        if (!buf.startsWith('HTTP/1.1 200')) return reject(new Error(buf));
        stage = 'body';
        buf = '';
        s.write(`GET /bytes/${bytes} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      } else if (stage === 'body') {
        const head = buf.indexOf('\r\n\r\n');
        if (head !== -1 && buf.length - head - 4 >= bytes) resolve(s);
      }
    });
  });
}

describe('metrics from real traffic', () => {
  let origin: Origin;
  let f: AdminFixture;
  const records: AccessRecord[] = [];
  const waitFor = async (n: number): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (records.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${records.length} of ${n} records`);
      await new Promise((r) => setImmediate(r));
    }
  };
  const scrape = async (): Promise<string> => (await f.call('/metrics')).text();

  before(async () => {
    origin = await createHttpOrigin();
    f = await startAdminFixture({ 'cordon.yaml': config(origin.port) });
    f.gw.gateway.onRecord((r) => records.push(r));
  });
  after(async () => {
    await f.close();
    await origin.close();
  });

  it('counts requests, bytes, latency and open tunnels', async () => {
    assert.equal(await status(f.gw.port, `http://deps.test:${origin.port}/bytes/700`), 200);
    assert.equal(await status(f.gw.port, `http://nope.test:${origin.port}/`), 403);
    const t = await tunnel(f.gw.port, `deps.test:${origin.port}`, 1500);
    const open = await scrape();
    assert.equal(sample(open, 'cordon_active_tunnels'), 1, 'the open tunnel');
    const closed = new Promise((r) => t.once('close', r));
    t.end();
    await closed;
    await waitFor(3);
    const text = await scrape();
    assert.equal(sample(text, 'cordon_active_tunnels'), 0);

    const count = (d: string, reason: string, scheme: string): number =>
      records.filter((r) => r.decision === d && r.reason === reason && r.scheme === scheme).length;
    for (const [d, reason, scheme] of [
      ['allow', 'allowed', 'http'],
      ['deny', 'not_allowlisted', 'http'],
      ['allow', 'allowed', 'https'],
    ] as const) {
      assert.equal(count(d, reason, scheme), 1, `${d} ${reason} ${scheme} record`);
      assert.equal(sample(text, 'cordon_requests_total', { decision: d, reason, scheme }), 1);
    }
    const sum = (k: 'bytesUp' | 'bytesDown'): number => records.reduce((s, r) => s + r[k], 0);
    assert.ok(sum('bytesDown') > 2200, 'both bodies came down');
    assert.equal(sample(text, 'cordon_bytes_total', { direction: 'up' }), sum('bytesUp'));
    assert.equal(sample(text, 'cordon_bytes_total', { direction: 'down' }), sum('bytesDown'));
    const timed = (k: 'dnsMs' | 'connectMs'): number => records.filter((r) => r[k] !== null).length;
    assert.equal(timed('connectMs'), 2, 'the two that reached the origin');
    assert.equal(timed('dnsMs'), 2, 'resolved (from dns.hosts) before connecting');
    // A dns.hosts answer asks no DNS question: recorded as 0 ms, not timed.
    assert.ok(records.every((r) => r.dnsMs === null || r.dnsMs === 0));
    assert.equal(sample(text, 'cordon_dns_duration_seconds_count'), 0);
    assert.equal(sample(text, 'cordon_connect_duration_seconds_count'), 2);
    assert.equal(sample(text, 'cordon_connect_duration_seconds_bucket', { le: '+Inf' }), 2);

    // The same origin again: the pooled connection is reused, recorded as a 0 ms connect, not timed.
    assert.equal(await status(f.gw.port, `http://deps.test:${origin.port}/bytes/10`), 200);
    await waitFor(4);
    assert.equal(records[3]?.connectMs, 0, 'the pooled upstream connection was reused');
    assert.equal(sample(await scrape(), 'cordon_connect_duration_seconds_count'), 2);
  });

  it('counts reloads and refused reloads', async () => {
    const before = await scrape();
    const ok = f.gw.nextReload();
    f.gw.write('cordon.yaml', config(origin.port, '# edited\n'));
    assert.equal(await ok, 'ok');
    const failed = f.gw.nextReload();
    f.gw.write('cordon.yaml', config(origin.port, 'mode: learn\n'));
    assert.equal(await failed, 'failed');
    const now = await scrape();
    const delta = (name: string): number => sample(now, name) - sample(before, name);
    assert.equal(delta('cordon_reloads_total'), 1);
    assert.equal(delta('cordon_reload_failures_total'), 1);
  });
});

describe('audit drops in metrics', () => {
  it('counts records the full queue dropped, and traffic still flows', async () => {
    const origin = await createHttpOrigin();
    const f = await startAdminFixture(
      { 'cordon.yaml': config(origin.port) },
      { store: { maxQueue: 2, flushMs: 60_000 } },
    );
    try {
      for (let i = 0; i < 5; i++) {
        assert.equal(await status(f.gw.port, `http://deps.test:${origin.port}/${i}`), 200);
      }
      // The last record is emitted just after its response ends.
      const deadline = Date.now() + 5000;
      while (f.store.stats().queued + f.store.stats().dropped < 5 && Date.now() < deadline) {
        await new Promise((r) => setImmediate(r));
      }
      const text = await (await f.call('/metrics')).text();
      assert.equal(f.store.stats().dropped, 3);
      assert.equal(sample(text, 'cordon_audit_dropped_total'), 3);
      assert.equal(sample(text, 'cordon_audit_queue_length'), 2);
    } finally {
      await f.close();
      await origin.close();
    }
  });
});
