/**
 * Every policy change is audited with a diff and can be reverted, whatever made it: a hand edit of
 * the files (including one that brings in a new allowlist file), and an approval; reverting the
 * revert re-applies the change. Each revert hot-reloads, so what the gateway allows follows. Also:
 * the policy shows a `learn` group as enforcing once its date has passed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decide } from '../../src/policy/decide.js';
import { denial } from './fixtures/records.js';
import { startAdminFixture, type AdminFixture, API_CONFIG, API_FILES, json } from './fixtures/admin.js';

type Change = { id: number; actor: string; diff: string; revertOf: number | null; reason: string };

describe('admin API: audit and revert of every change', () => {
  let f: AdminFixture;
  before(async () => {
    f = await startAdminFixture(API_FILES);
  });
  after(() => f.close());

  /** What the gateway decides now for a CONNECT from the default group to `host`. */
  const allows = (host: string): boolean =>
    decide(f.gw.gateway.current().runtime.policy, {
      client: '127.0.0.1',
      scheme: 'https',
      host,
      port: 443,
      isIp: false,
    }).allow;
  const latest = async (): Promise<Change> =>
    (await json(await f.call('/api/v1/policy/history?limit=1'))).items?.[0] as unknown as Change;
  const revert = async (id: number, reason: string): Promise<Change> => {
    const r = await f.call(`/api/v1/policy/revert/${id}`, { body: { reason } });
    const body = await json(r);
    assert.equal(r.status, 200, JSON.stringify(body));
    return body.change as Change;
  };

  it('audits a hand edit that adds a file, reverts it, and re-applies it', async () => {
    const yaml = API_CONFIG.replace(
      'allowFiles: [allowhttps.txt]',
      'allowFiles: [allowhttps.txt, extra.txt]',
    );
    f.gw.write('extra.txt', '# added by hand\n.extra.test\n');
    const reloaded = f.gw.nextReload();
    f.gw.write('cordon.yaml', yaml);
    assert.equal(await reloaded, 'ok');
    assert.ok(allows('a.extra.test'));

    const hand = await latest();
    assert.equal(hand.actor, 'file');
    assert.match(hand.diff, /\+ {2}allowFiles: \[allowhttps\.txt, extra\.txt\]/);
    assert.match(
      hand.diff,
      /--- a\/extra\.txt\n\+\+\+ b\/extra\.txt\n@@ .* @@\n\+# added by hand\n\+\.extra\.test/,
    );

    const undo = await revert(hand.id, 'not agreed');
    assert.equal(undo.revertOf, hand.id);
    assert.equal(undo.actor, 'api');
    assert.equal(readFileSync(join(f.gw.dir, 'cordon.yaml'), 'utf8'), API_CONFIG);
    assert.ok(!allows('a.extra.test'), 'the revert was hot-reloaded');
    const history = (await json(await f.call('/api/v1/policy/history?limit=5'))).items ?? [];
    assert.equal(history.find((c) => c.id === hand.id)?.revertedBy, undo.id);

    const redo = await revert(undo.id, 'agreed after all');
    assert.equal(redo.revertOf, undo.id);
    assert.equal(readFileSync(join(f.gw.dir, 'cordon.yaml'), 'utf8'), yaml);
    assert.equal(readFileSync(join(f.gw.dir, 'extra.txt'), 'utf8'), '# added by hand\n.extra.test\n');
    assert.ok(allows('a.extra.test'));
  });

  it('re-applies an approval by reverting its revert', async () => {
    f.store.add(denial('wheels.example.org', { scheme: 'https', port: 443, method: 'CONNECT' }));
    f.store.flush();
    const item = (await json(await f.call('/api/v1/review'))).items?.find(
      (i) => i.host === 'wheels.example.org',
    );
    const r = await f.call(`/api/v1/review/${String(item?.id)}/approve`, {
      body: { scope: 'host', reason: 'wheels' },
    });
    const approval = (await json(r)).change as Change;
    assert.ok(allows('wheels.example.org'));
    const undo = await revert(approval.id, 'too early');
    assert.ok(!allows('wheels.example.org'));
    assert.match(undo.diff, /-wheels\.example\.org/);
    const redo = await revert(undo.id, 'now');
    assert.ok(allows('wheels.example.org'));
    assert.match(redo.diff, /\+wheels\.example\.org/);
    assert.match(redo.reason, new RegExp(`^revert #${undo.id}: now$`));
  });
});

describe('admin API: learn mode in the policy view', () => {
  it('shows a learn group as enforcing once its date has passed', async () => {
    const f = await startAdminFixture({
      'cordon.yaml': `log: { json: null }
groups:
  - { name: learning, clients: [10.1.0.0/16], mode: learn, learnUntil: '2999-01-01T00:00:00Z' }
  - { name: ended, clients: [10.2.0.0/16], mode: learn, learnUntil: '2001-01-01T00:00:00Z' }
`,
    });
    try {
      const groups = (await json(await f.call('/api/v1/policy'))).groups as {
        name: string;
        mode: string;
        effectiveMode: string;
        learnUntil: string | null;
      }[];
      assert.deepEqual(
        groups.map((g) => [g.name, g.mode, g.effectiveMode, g.learnUntil]),
        [
          ['learning', 'learn', 'learn', '2999-01-01T00:00:00Z'],
          ['ended', 'learn', 'enforce', '2001-01-01T00:00:00Z'],
          ['default', 'enforce', 'enforce', null],
        ],
      );
    } finally {
      await f.close();
    }
  });
});
