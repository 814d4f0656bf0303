/**
 * The pieces of the cluster mode that need no processes: the worker's record batcher (batches by
 * size and time, bounded in flight with drops counted and reported), the message guards, the
 * restart backoff and the `--workers` parser.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createRecordBatcher,
  parsePrimaryMessage,
  parseWorkerMessage,
  type WorkerMessage,
} from '../../src/cluster/ipc.js';
import { createRestartPolicy } from '../../src/cluster/restart.js';
import { parseWorkers, workerCount } from '../../src/cluster/workers.js';
import type { AccessRecord } from '../../src/proxy/records.js';

function record(i: number): AccessRecord {
  return {
    time: new Date(0).toISOString(),
    id: `p-${i}`,
    client: '127.0.0.1',
    method: 'GET',
    scheme: 'http',
    host: 'app.test',
    port: 80,
    path: '/',
    decision: 'allow',
    mode: 'enforce',
    wouldDeny: false,
    reason: 'allowed',
    rule: null,
    group: 'default',
    resolved: '127.0.0.1',
    status: 200,
    bytesUp: 0,
    bytesDown: 1,
    dnsMs: null,
    connectMs: null,
    durationMs: 1,
    policyVersion: 1,
  };
}

/** A channel that holds each message until `release()` (a primary that has not read it yet). */
function channel() {
  const sent: Extract<WorkerMessage, { kind: 'records' }>[] = [];
  const pending: (() => void)[] = [];
  const waiters: (() => void)[] = [];
  return {
    sent,
    send: (m: WorkerMessage, done: (err: Error | null) => void): void => {
      if (m.kind === 'records') sent.push(m);
      pending.push(() => done(null));
      for (const w of waiters.splice(0)) w();
    },
    release: (): void => {
      for (const fn of pending.splice(0)) fn();
    },
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
}

const stats = () => ({ connections: 3, tunnels: 1 });

describe('record batcher', () => {
  it('sends full batches at once and the rest on flush, with the connection stats', async () => {
    const ch = channel();
    const b = createRecordBatcher({ send: ch.send, stats, batchRecords: 256, batchMs: 60_000 });
    for (let i = 0; i < 600; i++) b.add(record(i));
    assert.deepEqual(
      ch.sent.map((m) => m.records.length),
      [256, 256],
    );
    const flushed = b.flush();
    assert.deepEqual(
      ch.sent.map((m) => m.records.length),
      [256, 256, 88],
    );
    ch.release();
    await flushed;
    assert.deepEqual(ch.sent[0]!.stats, { connections: 3, tunnels: 1 });
    assert.deepEqual(
      ch.sent.flatMap((m) => m.records.map((r) => r.id)),
      Array.from({ length: 600 }, (_, i) => `p-${i}`),
    );
  });

  it('sends a partial batch after batchMs', async () => {
    const ch = channel();
    const b = createRecordBatcher({ send: ch.send, stats, batchMs: 20 });
    const sent = ch.next();
    b.add(record(1));
    assert.equal(ch.sent.length, 0, 'not one message per record');
    // The batcher's timer is unref'd (a worker's channel keeps it alive); this deadline keeps the test's.
    let deadline: NodeJS.Timeout | undefined;
    await Promise.race([
      sent,
      new Promise((_, reject) => (deadline = setTimeout(() => reject(new Error('no batch in 5 s')), 5000))),
    ]);
    clearTimeout(deadline);
    assert.equal(ch.sent[0]!.records.length, 1);
  });

  it('drops and counts past maxInFlight, and reports the drops with the next batch', async () => {
    const ch = channel();
    const b = createRecordBatcher({
      send: ch.send,
      stats,
      batchRecords: 10,
      maxInFlight: 2,
      batchMs: 60_000,
    });
    for (let i = 0; i < 50; i++) b.add(record(i));
    assert.equal(ch.sent.length, 2);
    assert.equal(b.dropped, 30);
    ch.release();
    for (let i = 0; i < 10; i++) b.add(record(100 + i));
    assert.equal(ch.sent.length, 3);
    assert.equal(ch.sent[2]!.dropped, 30);
    assert.equal(ch.sent[0]!.dropped, 0);
    const flushed = b.flush();
    ch.release();
    await flushed;
  });
});

describe('cluster messages', () => {
  it('accepts ours and refuses anything else', () => {
    assert.deepEqual(parseWorkerMessage({ kind: 'ready' }), { kind: 'ready' });
    assert.equal(parseWorkerMessage({ kind: 'records', records: 'x', dropped: 0, stats: stats() }), null);
    assert.equal(parseWorkerMessage({ kind: 'stats', stats: { connections: '1', tunnels: 0 } }), null);
    assert.equal(parseWorkerMessage({ cmd: 'NODE_CLUSTER', act: 'online' }), null);
    assert.equal(parseWorkerMessage(null), null);
    assert.equal(parsePrimaryMessage({ kind: 'policy', loaded: null, version: 2 }), null);
    assert.deepEqual(parsePrimaryMessage({ kind: 'stop' }), { kind: 'stop' });
  });
});

describe('restart backoff', () => {
  it('doubles while a worker keeps dying soon after starting, and resets once it stayed up', () => {
    let now = 0;
    const p = createRestartPolicy(() => now);
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      p.started(0);
      now += 1000;
      delays.push(p.exited(0));
    }
    assert.deepEqual(delays.slice(0, 4), [100, 200, 400, 800]);
    assert.equal(delays.at(-1), 30_000, 'capped');
    p.started(0);
    now += 60_000;
    assert.equal(p.exited(0), 100, 'a worker that stayed up starts the backoff over');
    assert.equal(p.exited(1), 100, 'slots are independent');
  });
});

describe('--workers', () => {
  it('takes a whole number from 1 to 256 or auto', () => {
    assert.equal(parseWorkers('4'), 4);
    assert.equal(parseWorkers('auto'), 'auto');
    assert.ok(workerCount('auto') >= 1);
    for (const bad of ['0', '1.5', '-2', '300', 'two', '']) {
      assert.throws(() => parseWorkers(bad), { code: 'CORDON_CLUSTER_BAD_WORKERS' }, bad);
    }
  });
});
