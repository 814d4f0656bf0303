/**
 * WAL checkpoints happen on the worker thread: the store's connection never checkpoints (so never
 * fsyncs on the event loop), and the worker folds the log into the database file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { record } from '../../test/admin/fixtures/records.js';
import { startCheckpointer } from './store-checkpoint.js';
import { createAuditStore } from './store.js';

it('checkpoints on a worker, never on the store connection', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cordon-ckpt-')), 'audit.db');
  const store = createAuditStore({ path, checkpointMs: 60_000 });
  assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 0);
  for (let i = 0; i < 3000; i++) store.add(record());
  store.flush();
  const before = statSync(path).size;
  assert.ok(statSync(`${path}-wal`).size > 0, 'the writes are in the WAL');
  const errors: string[] = [];
  const done = new Promise<void>((resolve) => {
    const c = startCheckpointer(
      path,
      10,
      (m) => errors.push(m),
      () => void c.stop().then(resolve),
    );
  });
  await done;
  assert.deepEqual(errors, []);
  assert.ok(statSync(path).size > before, 'the worker moved the pages into the database file');
  await store.close();
});
