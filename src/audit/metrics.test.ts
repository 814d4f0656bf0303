/** Prometheus metrics: counters per record, gauges read at scrape, drops from the audit store. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { denial, record } from '../../test/admin/fixtures/records.js';
import { createMetrics } from './metrics.js';

it('exposes requests, bytes, latency, tunnels, reloads and audit drops', async () => {
  let dropped = 0;
  const m = createMetrics({
    connections: () => ({ connections: 3, tunnels: 2 }),
    audit: () => ({ queued: 4, written: 10, dropped, flushes: 1, checkpoints: 0, checkpointing: false }),
    policyVersion: () => 5,
  });
  m.observe(record({ scheme: 'https', bytesUp: 10, bytesDown: 20, dnsMs: 3, connectMs: 4 }));
  m.observe(denial('x.test'));
  m.observe(record({ wouldDeny: true, mode: 'report', group: 'lab', reason: 'not_allowlisted' }));
  m.reloaded(true);
  m.reloaded(false);
  dropped = 7;
  const { contentType, body } = await m.render();
  assert.match(contentType, /^text\/plain/);
  for (const line of [
    'cordon_requests_total{decision="allow",reason="allowed",scheme="https"} 1',
    'cordon_requests_total{decision="deny",reason="not_allowlisted",scheme="http"} 1',
    'cordon_would_deny_total{group="lab"} 1',
    'cordon_bytes_total{direction="up"} 110',
    'cordon_dns_duration_seconds_count 2',
    'cordon_connect_duration_seconds_bucket{le="0.005"} 2',
    'cordon_active_tunnels 2',
    'cordon_active_connections 3',
    'cordon_policy_version 5',
    'cordon_reloads_total 1',
    'cordon_reload_failures_total 1',
    'cordon_audit_dropped_total 7',
    'cordon_audit_queue_length 4',
  ]) {
    assert.ok(body.includes(`\n${line}\n`), `missing: ${line}`);
  }
  dropped = 9;
  m.observe(record({ scheme: 'https', bytesUp: 5 }));
  const again = (await m.render()).body;
  assert.ok(again.includes('\ncordon_audit_dropped_total 9\n'));
  // Counters are read from their tallies at each scrape: counted once, never twice.
  assert.ok(again.includes('\ncordon_requests_total{decision="allow",reason="allowed",scheme="https"} 2\n'));
  assert.ok(again.includes('\ncordon_bytes_total{direction="up"} 115\n'));
});

it('times only real DNS lookups and new connections, not kept answers or reused connections', async () => {
  const m = createMetrics();
  m.observe(record({ dnsMs: 12, connectMs: 30 })); // a DNS question, then a new connection
  m.observe(record({ dnsMs: 0, connectMs: 0 })); // a kept answer (or dns.hosts) on a reused connection
  m.observe(record({ dnsMs: null, connectMs: 0.25 })); // an IP literal, dialled
  const { body } = await m.render();
  const count = (name: string): number => Number(new RegExp(`\\n${name}_count (\\d+)\\n`).exec(body)?.[1]);
  assert.equal(count('cordon_dns_duration_seconds'), 1);
  assert.equal(count('cordon_connect_duration_seconds'), 2);
  assert.ok(
    body.includes('\ncordon_connect_duration_seconds_bucket{le="0.001"} 1\n'),
    'the 0.25 ms dial, not a 0',
  );
  assert.ok(body.includes('\ncordon_requests_total{decision="allow",reason="allowed",scheme="http"} 3\n'));
});

it('counts every latency observed between scrapes, past the values it keeps, exactly once', async () => {
  const m = createMetrics();
  const count = (body: string): number =>
    Number(/\ncordon_connect_duration_seconds_count (\d+)\n/.exec(body)?.[1]);
  const sum = (body: string): number =>
    Number(/\ncordon_connect_duration_seconds_sum (\S+)\n/.exec(body)?.[1]);
  // 2,500 new connections of 2 ms before the first scrape (more than the histogram keeps in memory).
  for (let i = 0; i < 2500; i++) m.observe(record({ dnsMs: null, connectMs: 2 }));
  const first = (await m.render()).body;
  assert.equal(count(first), 2500);
  assert.ok(Math.abs(sum(first) - 5) < 1e-9, `sum ${sum(first)}`);
  assert.ok(first.includes('\ncordon_connect_duration_seconds_bucket{le="0.001"} 0\n'));
  assert.ok(first.includes('\ncordon_connect_duration_seconds_bucket{le="0.0025"} 2500\n'));
  m.observe(record({ dnsMs: null, connectMs: 30 }));
  const second = (await m.render()).body;
  assert.equal(count(second), 2501);
  assert.equal(count((await m.render()).body), 2501, 'a scrape hands nothing over twice');
});
