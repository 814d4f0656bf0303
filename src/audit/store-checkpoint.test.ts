/**
 * WAL checkpoints happen on a worker thread that runs only while there is something to fold in: the
 * store's connection never checkpoints (so never fsyncs on the event loop); the first write starts
 * the worker, which folds the log into the database file and stops once writes have stopped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { record } from '../../test/admin/fixtures/records.js';
import { createCheckpointer } from './store-checkpoint.js';
import { createAuditStore, type AuditStore } from './store.js';

const tempDb = (): string => join(mkdtempSync(join(tmpdir(), 'cordon-ckpt-')), 'audit.db');

/** Resolve once `cond()` holds, checking on every checkpoint and every 5 ms; fail after `ms`. */
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function write(store: AuditStore, n: number): void {
  for (let i = 0; i < n; i++) store.add(record());
  store.flush();
}

it('checkpoints on a worker, never on the store connection', async () => {
  const path = tempDb();
  const store = createAuditStore({ path, checkpointMs: 10, checkpointIdleMs: 60_000 });
  assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0);
  const before = statSync(path).size;
  write(store, 3000);
  assert.ok(statSync(`${path}-wal`).size > 0, 'the writes are in the WAL');
  await until('a checkpoint ran', () => store.stats().checkpoints > 0);
  await until('the database file grew', () => statSync(path).size > before);
  await store.close();
  assert.equal(store.stats().checkpointing, false, 'close stops the worker');
});

it('runs the worker only while there are writes to fold in', async () => {
  const store = createAuditStore({ path: tempDb(), checkpointMs: 10, checkpointIdleMs: 60 });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(
    [store.stats().checkpointing, store.stats().checkpoints],
    [false, 0],
    'no worker before anything is written',
  );
  write(store, 10);
  assert.equal(store.stats().checkpointing, true, 'the first write starts it');
  await until('the idle worker stopped', () => !store.stats().checkpointing);
  const after = store.stats().checkpoints;
  assert.ok(after >= 1, 'it folded the write in before stopping');
  write(store, 10);
  assert.equal(store.stats().checkpointing, true, 'the next write starts another');
  await until('the new worker checkpointed', () => store.stats().checkpoints > after);
  await store.close();
});

it('a worker that starts while another is stopping leaves nothing running after close', async () => {
  const store = createAuditStore({ path: tempDb(), checkpointMs: 5, checkpointIdleMs: 0 });
  for (let i = 0; i < 20; i++) {
    write(store, 5);
    await new Promise((r) => setTimeout(r, 3));
  }
  await store.close();
  assert.equal(store.stats().checkpointing, false);
});

it('reports a worker that cannot open the database once, and does not restart it on every write', async () => {
  const errors: string[] = [];
  const c = createCheckpointer(join(mkdtempSync(join(tmpdir(), 'cordon-ckpt-')), 'no', 'such', 'audit.db'), {
    intervalMs: 5,
    idleMs: 60_000,
    onError: (m) => errors.push(m),
  });
  c.wrote();
  await until('the failure was reported', () => errors.length > 0 && !c.running);
  for (let i = 0; i < 5; i++) c.wrote();
  assert.equal(c.started, 1, 'no new worker within the retry interval');
  assert.equal(c.running, false);
  await c.stop();
});
