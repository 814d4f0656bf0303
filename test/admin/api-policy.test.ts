/**
 * The admin API's policy side in-process (`app.request()`), over a real gateway, policy files and
 * audit store: approve (into the right file, with a diff, hot-reloaded), reject and bulk actions,
 * history, reverts, conflicts (409 with nothing written and the hand edit kept and audited), and
 * proposals from report mode applied as one change.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { denial, record } from './fixtures/records.js';
import { startAdminFixture, type AdminFixture, API_CONFIG, API_FILES, json } from './fixtures/admin.js';

describe('admin API: review and policy', () => {
  let f: AdminFixture;
  before(async () => {
    f = await startAdminFixture(API_FILES);
  });
  after(() => f.close());

  describe('review, policy changes and reverts', () => {
    it('approves into the group file with a diff, hot-reloads, and reverts', async () => {
      f.store.add(
        denial('files.pythonhosted.test', {
          scheme: 'https',
          port: 443,
          method: 'CONNECT',
          client: '127.0.0.1',
        }),
      );
      f.store.add(
        denial('files.pythonhosted.test', {
          scheme: 'https',
          port: 443,
          method: 'CONNECT',
          client: '127.0.0.2',
        }),
      );
      f.store.flush();
      const list = await json(await f.call('/api/v1/review'));
      const item = list.items?.find((i) => i.host === 'files.pythonhosted.test');
      assert.ok(item);
      for (const key of ['id', 'host', 'port', 'scheme', 'count', 'firstSeen', 'lastSeen', 'clients'])
        assert.ok(key in item, key);
      assert.deepEqual(
        [item.scheme, item.port, item.count, item.clients],
        ['https', 443, 2, ['127.0.0.1', '127.0.0.2']],
      );

      const versionBefore = f.gw.gateway.current().runtime.policy.version;
      const r = await f.call(`/api/v1/review/${String(item.id)}/approve`, {
        body: { scope: 'domain', reason: 'pip wheels' },
      });
      assert.equal(r.status, 200);
      const body = await json(r);
      const change = body.change as { id: number; diff: string; actor: string };
      assert.equal(change.actor, 'api');
      assert.equal(
        readFileSync(join(f.gw.dir, 'allowhttps.txt'), 'utf8'),
        '# pip\n.pypi.test\n.pythonhosted.test\n',
      );
      assert.match(change.diff, /\+\.pythonhosted\.test/);
      assert.ok(f.gw.gateway.current().runtime.policy.version > versionBefore, 'hot-reloaded');
      assert.equal((body.item as { status: string }).status, 'approved');

      const history = await json(await f.call('/api/v1/policy/history'));
      const first = history.items?.[0];
      assert.deepEqual([first?.id, first?.actor, first?.reason], [change.id, 'api', 'pip wheels']);
      assert.ok(typeof first?.at === 'string' && typeof first.diff === 'string');

      const revert = await f.call(`/api/v1/policy/revert/${change.id}`, {
        body: { reason: 'not needed' },
        headers: { 'x-cordon-actor': 'alice' },
      });
      assert.equal(revert.status, 200);
      assert.equal(readFileSync(join(f.gw.dir, 'allowhttps.txt'), 'utf8'), '# pip\n.pypi.test\n');
      const again = await f.call(`/api/v1/policy/revert/${change.id}`, { body: {} });
      assert.equal(again.status, 409);
      const top = (await json(await f.call('/api/v1/policy/history?limit=1'))).items?.[0];
      assert.deepEqual([top?.actor, top?.revertOf], ['alice', change.id]);
    });

    it('409 when the files changed since they were read; the hand edit is kept and audited', async () => {
      f.store.add(denial('late.test'));
      f.store.flush();
      const policy = await f.call('/api/v1/policy');
      const hash = (await json(policy)).hash as string;
      assert.equal(policy.headers.get('etag'), `"${hash}"`);
      const item = (await json(await f.call('/api/v1/review'))).items?.find((i) => i.host === 'late.test');
      const handEdited = API_CONFIG.replace('allow: [a.test]', 'allow: [a.test, hand.test]');
      const reloaded = f.gw.nextReload();
      writeFileSync(join(f.gw.dir, 'cordon.yaml'), handEdited);
      const r = await f.call(`/api/v1/review/${String(item?.id)}/approve`, {
        body: { scope: 'host', reason: 'x' },
        headers: { 'if-match': `"${hash}"` },
      });
      assert.equal(r.status, 409);
      assert.match(
        ((await json(r)).error as { message: string }).message,
        /changed since you read them \(hash .*\); nothing was written/,
      );
      assert.equal(
        readFileSync(join(f.gw.dir, 'cordon.yaml'), 'utf8'),
        handEdited,
        'the hand edit is intact',
      );
      assert.equal((await json(await f.call(`/api/v1/review/${String(item?.id)}`))).status, 'pending');
      await reloaded;
      const top = (await json(await f.call('/api/v1/policy/history?limit=1'))).items?.[0];
      assert.equal(top?.actor, 'file');
      assert.match(
        String(top?.diff),
        /- {2}allow: \[a\.test\] # keep this comment\n\+ {2}allow: \[a\.test, hand\.test\] # keep this comment/,
      );

      // With the fresh hash it goes through, into the inline list, keeping the comment.
      const fresh = (await json(await f.call('/api/v1/policy'))).hash as string;
      const ok = await f.call(`/api/v1/review/${String(item?.id)}/approve`, {
        body: { scope: 'host', reason: 'x', policyHash: fresh },
      });
      assert.equal(ok.status, 200);
      assert.match(
        readFileSync(join(f.gw.dir, 'cordon.yaml'), 'utf8'),
        /allow: \[a\.test, hand\.test, late\.test\] # keep this comment/,
      );
    });

    it('reverts a hand edit, and refuses when the file moved on', async () => {
      const history = await json(await f.call('/api/v1/policy/history?limit=5'));
      const hand = history.items?.find((c) => c.actor === 'file');
      const r = await f.call(`/api/v1/policy/revert/${String(hand?.id)}`, { body: { reason: 'undo' } });
      assert.equal(r.status, 409, 'the approval after it touched the same line');
      assert.match(((await json(r)).error as { message: string }).message, /edit it by hand/);
    });

    it('rejects and bulk-approves', async () => {
      for (const h of ['r1.test', 'r2.test', 'b1.test', 'b2.test'])
        f.store.add(denial(h, { group: 'lab', client: '10.9.0.1' }));
      f.store.flush();
      const items = (await json(await f.call('/api/v1/review?limit=500'))).items ?? [];
      const id = (h: string): number => Number(items.find((i) => i.host === h)?.id);
      const rej = await f.call('/api/v1/review/bulk', {
        body: { action: 'reject', ids: [id('r1.test'), id('r2.test')], reason: 'no' },
      });
      assert.equal(rej.status, 200);
      const bulk = await f.call('/api/v1/review/bulk', {
        body: { action: 'approve', ids: [id('b1.test'), id('b2.test')], scope: 'host', reason: 'ok' },
      });
      assert.equal(bulk.status, 200);
      const change = (await json(bulk)).change as { ops: { group: string; entry: string }[] };
      assert.deepEqual(
        change.ops.map((o) => [o.group, o.entry]),
        [
          ['lab', 'b1.test'],
          ['lab', 'b2.test'],
        ],
      );
      const pending = ((await json(await f.call('/api/v1/review'))).items ?? []).map((i) => i.host);
      for (const h of ['r1.test', 'r2.test', 'b1.test', 'b2.test']) assert.ok(!pending.includes(h), h);
      const rejected = ((await json(await f.call('/api/v1/review?status=rejected'))).items ?? []).map(
        (i) => i.host,
      );
      assert.deepEqual(rejected.sort(), ['r1.test', 'r2.test']);
    });
  });

  it('proposes an allowlist from report mode and applies it as one change', async () => {
    for (const h of ['x.wheels.test', 'y.wheels.test', 'paste.pastebin.com']) {
      f.store.add(
        record({
          host: h,
          scheme: 'https',
          port: 443,
          mode: 'report',
          wouldDeny: true,
          reason: 'not_allowlisted',
          group: 'lab',
        }),
      );
    }
    f.store.flush();
    const prop = await json(await f.call('/api/v1/policy/propose?group=lab'));
    const entries = (prop.items ?? []).map((i) => [i.entry, i.risk !== null]);
    assert.deepEqual(entries.sort(), [
      ['.wheels.test', false],
      ['paste.pastebin.com', true],
    ]);
    const r = await f.call('/api/v1/policy/apply', {
      body: { group: 'lab', entries: [{ scheme: 'https', entry: '.wheels.test' }], reason: 'learned' },
    });
    assert.equal(r.status, 200);
    assert.match(
      readFileSync(join(f.gw.dir, 'cordon.yaml'), 'utf8'),
      /https:\n {6}allow: \[\.wheels\.test\]/,
    );
    assert.equal((await f.call('/api/v1/policy/propose?group=nobody')).status, 400);
  });
});
