import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditLedger, metricValue, parseAuditMetrics } from './audit.js';
import type { ProxyUnderTest } from './types.js';

const EXPOSITION = `# HELP cordon_audit_written_total Records written to the audit store
# TYPE cordon_audit_written_total counter
cordon_audit_written_total 1234
# HELP cordon_audit_dropped_total_extra not ours
cordon_audit_dropped_total_extra 99
cordon_audit_dropped_total{shard="x"} 98
cordon_audit_dropped_total 7
`;

describe('parseAuditMetrics', () => {
  it('reads the unlabelled samples and nothing with a longer name or labels', () => {
    assert.deepEqual(parseAuditMetrics(EXPOSITION), { written: 1234, dropped: 7 });
  });
  it('is NaN for a metric that is not there', () => {
    assert.ok(Number.isNaN(metricValue('cordon_requests_total 3\n', 'cordon_audit_dropped_total')));
  });
});

/** A /metrics endpoint on port 0 whose counters the test sets. */
async function metricsServer(): Promise<{
  port: number;
  set(w: number, d: number): void;
  close(): Promise<void>;
}> {
  let body = '';
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    set: (w, d) => (body = `cordon_audit_written_total ${w}\ncordon_audit_dropped_total ${d}\n`),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function fakeCordon(pid: number, adminPort: number, onStop: () => void): ProxyUnderTest {
  const child = { exitCode: null, signalCode: null };
  return {
    name: 'cordon',
    port: 0,
    pid,
    adminPort,
    dir: '',
    proc: { child } as unknown as ProxyUnderTest['proc'],
    stop: () => Promise.resolve(onStop()),
  };
}

describe('createAuditLedger', () => {
  it('books what changed between reads under the scenario that was running', async () => {
    const m = await metricsServer();
    try {
      const ledger = createAuditLedger();
      const longRunning = fakeCordon(100, m.port, () => undefined);
      ledger.scenario = 'a';
      m.set(500, 0);
      await ledger.collect(longRunning);
      ledger.scenario = 'b';
      m.set(800, 3);
      await ledger.collect(longRunning);
      assert.deepEqual(ledger.counts('a'), { written: 500, dropped: 0 });
      assert.deepEqual(ledger.counts('b'), { written: 300, dropped: 3 });
      assert.equal(ledger.counts('c'), undefined);
      assert.deepEqual(ledger.errors, []);
    } finally {
      await m.close();
    }
  });

  it('reads a fresh Cordon just before it stops, and adds it to the scenario', async () => {
    const m = await metricsServer();
    try {
      const ledger = createAuditLedger();
      ledger.scenario = 'e';
      const order: string[] = [];
      const tracked = ledger.track(fakeCordon(200, m.port, () => order.push('stopped')));
      m.set(40, 1);
      await tracked.stop();
      m.set(60, 1);
      await ledger.track(fakeCordon(201, m.port, () => order.push('stopped'))).stop();
      assert.deepEqual(ledger.counts('e'), { written: 100, dropped: 2 });
      assert.deepEqual(order, ['stopped', 'stopped']);
    } finally {
      await m.close();
    }
  });

  it('says so when /metrics cannot be read, instead of reporting zero drops', async () => {
    const m = await metricsServer();
    const port = m.port;
    await m.close(); // nothing listens on the port any more
    const ledger = createAuditLedger(300);
    ledger.scenario = 'g';
    await ledger.collect({ ...fakeCordon(300, port, () => undefined) });
    assert.equal(ledger.errors.length, 1);
    assert.ok(Number.isNaN(ledger.counts('g')?.dropped));
  });
});
