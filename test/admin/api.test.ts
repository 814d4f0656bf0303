/**
 * The admin API in-process (`app.request()`), over a real gateway, policy files and audit store:
 * auth (401 without or with a wrong token; only /healthz open), bad input (400 with a message that
 * names the field), approve/reject/bulk, history with diffs, revert, conflicts (409, nothing lost),
 * decisions filters and pagination, proposals, metrics and the live event stream.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { denial, record } from './fixtures/records.js';
import { startAdminFixture, TOKEN, type AdminFixture } from './fixtures/admin.js';

const CONFIG = `# test policy
listen: 127.0.0.1:0
log: { json: null }
http:
  allow: [a.test] # keep this comment
https:
  allowFiles: [allowhttps.txt]
groups:
  - name: lab
    clients: [10.9.0.0/16]
    mode: report
`;

type Json = Record<string, unknown> & { items?: Record<string, unknown>[] };
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;

describe('admin API', () => {
  let f: AdminFixture;
  before(async () => {
    f = await startAdminFixture({ 'cordon.yaml': CONFIG, 'allowhttps.txt': '# pip\n.pypi.test\n' });
  });
  after(() => f.close());

  describe('auth', () => {
    const protectedPaths = [
      '/api/v1/decisions',
      '/api/v1/review',
      '/api/v1/policy',
      '/api/v1/policy/history',
      '/metrics',
      '/events',
    ];
    for (const path of protectedPaths) {
      it(`401 for ${path} without a token or with a wrong one`, async () => {
        const variants: Record<string, string>[] = [
          {},
          { authorization: 'Bearer wrong-token-wrong-token' },
          { authorization: `Basic ${TOKEN}` },
          { authorization: 'Bearer' },
        ];
        for (const headers of variants) {
          const r = await f.call(path, { auth: false, headers });
          assert.equal(r.status, 401, JSON.stringify(headers));
          assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
          assert.equal(((await json(r)).error as { code: string }).code, 'CORDON_ADMIN_UNAUTHORIZED');
        }
      });
    }
    it('serves /healthz without a token, with secure headers', async () => {
      const r = await f.call('/healthz', { auth: false });
      assert.equal(r.status, 200);
      assert.equal((await json(r)).status, 'ok');
      assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    });
    it('sends pages to the login form, never their content', async () => {
      const r = await f.call('/review', { auth: false });
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/login?next=%2Freview');
    });
  });

  describe('bad input', () => {
    before(() => {
      f.store.add(denial('bad.test'));
      f.store.flush();
    });
    const cases: {
      name: string;
      path: string;
      body?: unknown;
      headers?: Record<string, string>;
      status: number;
      message: RegExp;
    }[] = [
      {
        name: 'missing reason',
        path: '/api/v1/review/1/approve',
        body: { scope: 'host' },
        status: 400,
        message: /reason/,
      },
      {
        name: 'empty reason',
        path: '/api/v1/review/1/reject',
        body: { reason: '  ' },
        status: 400,
        message: /reason: say why/,
      },
      {
        name: 'unknown scope',
        path: '/api/v1/review/1/approve',
        body: { scope: 'all', reason: 'x' },
        status: 400,
        message: /scope/,
      },
      {
        name: 'unknown key',
        path: '/api/v1/review/1/approve',
        body: { scope: 'host', reason: 'x', force: true },
        status: 400,
        message: /force/,
      },
      {
        name: 'not JSON',
        path: '/api/v1/review/1/approve',
        body: '{scope',
        status: 400,
        message: /not valid JSON/,
      },
      {
        name: 'form body',
        path: '/api/v1/review/1/reject',
        body: 'reason=x',
        headers: { 'content-type': 'application/json-seq' },
        status: 400,
        message: /JSON/,
      },
      {
        name: 'bad id',
        path: '/api/v1/review/abc/approve',
        body: { scope: 'host', reason: 'x' },
        status: 400,
        message: /id: must be a positive integer/,
      },
      {
        name: 'missing item',
        path: '/api/v1/review/999/approve',
        body: { scope: 'host', reason: 'x' },
        status: 404,
        message: /no review item 999/,
      },
      {
        name: 'unknown group',
        path: '/api/v1/review/1/approve',
        body: { scope: 'host', group: 'nobody', reason: 'x' },
        status: 400,
        message: /no client group named "nobody"/,
      },
      {
        name: 'bad hash',
        path: '/api/v1/review/1/approve',
        body: { scope: 'host', reason: 'x', policyHash: 'zz' },
        status: 400,
        message: /policyHash/,
      },
      {
        name: 'bulk approve without scope',
        path: '/api/v1/review/bulk',
        body: { action: 'approve', ids: [1], reason: 'x' },
        status: 400,
        message: /scope/,
      },
      {
        name: 'revert of a missing change',
        path: '/api/v1/policy/revert/4242',
        body: {},
        status: 404,
        message: /no policy change 4242/,
      },
      {
        name: 'bad decision filter',
        path: '/api/v1/decisions?decision=maybe',
        status: 400,
        message: /decision/,
      },
      { name: 'bad time filter', path: '/api/v1/decisions?since=yesterday', status: 400, message: /since/ },
      { name: 'unknown filter', path: '/api/v1/decisions?colour=red', status: 400, message: /colour/ },
    ];
    for (const c of cases) {
      it(`${c.status} for ${c.name}`, async () => {
        const r = await f.call(c.path, { body: c.body, headers: c.headers });
        assert.equal(r.status, c.status);
        const err = (await json(r)).error as { message: string };
        assert.match(err.message, c.message);
      });
    }
    it('400 for a domain scope on an IP address', async () => {
      f.store.add(denial('203.0.113.9', { reason: 'ip_literal_not_allowed' }));
      f.store.flush();
      const item = (await json(await f.call('/api/v1/review'))).items?.find((i) => i.host === '203.0.113.9');
      const r = await f.call(`/api/v1/review/${String(item?.id)}/approve`, {
        body: { scope: 'domain', reason: 'x' },
      });
      assert.equal(r.status, 400);
      assert.match(((await json(r)).error as { message: string }).message, /an IP address has no domain/);
    });
  });

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
      const handEdited = CONFIG.replace('allow: [a.test]', 'allow: [a.test, hand.test]');
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

  it('filters and paginates decisions', async () => {
    for (let i = 0; i < 7; i++) f.store.add(record({ client: '10.7.7.7', host: 'page.test' }));
    f.store.flush();
    const p1 = await json(await f.call('/api/v1/decisions?client=10.7.7.7&limit=5'));
    assert.equal(p1.items?.length, 5);
    const p2 = await json(
      await f.call(`/api/v1/decisions?client=10.7.7.7&limit=5&cursor=${String(p1.next)}`),
    );
    assert.equal(p2.items?.length, 2);
    assert.equal(p2.next, null);
    const since = new Date(Date.now() - 60_000).toISOString();
    const denied = await json(
      await f.call(`/api/v1/decisions?decision=deny&since=${encodeURIComponent(since)}`),
    );
    assert.ok((denied.items ?? []).length > 0 && (denied.items ?? []).every((d) => d.decision === 'deny'));
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

  it('serves Prometheus metrics with the token', async () => {
    f.gw.gateway.reload('test');
    const r = await f.call('/metrics');
    assert.equal(r.status, 200);
    const text = await r.text();
    for (const name of [
      'cordon_requests_total',
      'cordon_active_tunnels',
      'cordon_bytes_total',
      'cordon_dns_duration_seconds_bucket',
      'cordon_connect_duration_seconds_bucket',
      'cordon_reloads_total',
      'cordon_reload_failures_total',
      'cordon_audit_dropped_total',
    ]) {
      assert.ok(text.includes(name), name);
    }
  });

  it('streams live decisions as server-sent events', async () => {
    const r = await f.call('/events?decision=deny');
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${String(pattern)}: ${text}`);
        text += decoder.decode(value);
      }
    };
    await until(/event: ready/);
    f.admin.context.live.publish(record({ host: 'skip.test' }));
    f.admin.context.live.publish(denial('shown.test'));
    await until(/event: decision\ndata: .*"host":"shown\.test"/);
    assert.doesNotMatch(text, /skip\.test/);
    await reader.cancel();
  });
});

describe('admin API options', () => {
  it('serves /metrics without a token when metricsPublic is set, but nothing else', async () => {
    const f = await startAdminFixture({ 'cordon.yaml': 'log: { json: null }\n' }, { metricsPublic: true });
    try {
      assert.equal((await f.call('/metrics', { auth: false })).status, 200);
      assert.equal((await f.call('/api/v1/policy', { auth: false })).status, 401);
    } finally {
      await f.close();
    }
  });
});
