/** The policy change log: diffs, newest-first pages, reverts linked both ways, file snapshots. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { getChange, listChanges, readSnapshots, recordChange } from './policy-log.js';
import { createAuditStore } from './store.js';

it('records changes with diffs, pages newest first, and links reverts', async () => {
  const store = createAuditStore({ path: ':memory:' });
  const file = (before: string, after: string) => ({
    path: '/p/allow.txt',
    name: 'allow.txt',
    before,
    after,
  });
  const op = { op: 'add' as const, group: 'default', scheme: 'http' as const, entry: 'a.test' };
  const first = recordChange(store.db, {
    actor: 'admin',
    reason: 'pip',
    files: [file('', 'a.test\n')],
    ops: [op],
  });
  assert.equal(first.diff, '--- a/allow.txt\n+++ b/allow.txt\n@@ -0,0 +1,1 @@\n+a.test\n');
  for (let i = 0; i < 3; i++) {
    recordChange(store.db, {
      actor: 'file',
      reason: 'hand edit',
      files: [file('a.test\n', `a.test\n#${i}\n`)],
      ops: [],
    });
  }
  const revert = recordChange(store.db, {
    actor: 'admin',
    reason: 'undo',
    files: [file('a.test\n', '')],
    ops: [{ ...op, op: 'remove' }],
    revertOf: first.id,
  });
  const page = listChanges(store.db, { limit: 3 });
  assert.deepEqual(
    page.items.map((c) => c.id),
    [revert.id, revert.id - 1, revert.id - 2],
  );
  const rest = listChanges(store.db, { limit: 3, before: page.next ?? 0 });
  assert.deepEqual(
    rest.items.map((c) => c.id),
    [2, 1],
  );
  assert.equal(rest.next, null);
  const again = getChange(store.db, first.id);
  assert.equal(again?.revertedBy, revert.id);
  assert.deepEqual(again?.ops, [op]);
  assert.equal(again?.files[0]?.after, 'a.test\n');
  assert.equal(getChange(store.db, revert.id)?.revertOf, first.id);
  assert.equal(readSnapshots(store.db).get('/p/allow.txt'), '');
  await store.close();
});
