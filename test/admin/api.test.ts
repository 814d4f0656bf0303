/**
 * The admin API in-process (`app.request()`), over a real gateway, policy files and audit store:
 * auth (401 without or with a wrong token; only /healthz open), bad input (400 with a message that
 * names the field), decisions filters and pagination, metrics and the live event stream. The policy
 * side (approve, revert, conflicts, proposals) is in api-policy.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { denial, record } from './fixtures/records.js';
import { startAdminFixture, TOKEN, type AdminFixture, API_FILES, json } from './fixtures/admin.js';

describe('admin API', () => {
  let f: AdminFixture;
  before(async () => {
    f = await startAdminFixture(API_FILES);
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

  /** Reads an event stream until `pattern` shows; `text` is everything read so far. */
  const sse = async (path: string) => {
    const r = await f.call(path);
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const s = {
      text: '',
      async until(pattern: RegExp, timeoutMs = 5000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!pattern.test(s.text)) {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no ${String(pattern)} in: ${s.text}`)),
              deadline - Date.now(),
            );
          });
          const { value, done } = await Promise.race([reader.read(), late]).finally(() =>
            clearTimeout(timer),
          );
          if (done) throw new Error(`stream ended before ${String(pattern)}: ${s.text}`);
          s.text += decoder.decode(value);
        }
      },
      cancel: () => reader.cancel(),
    };
    await s.until(/event: ready/);
    return s;
  };

  it('streams live decisions as server-sent events, filtered', async () => {
    const denied = await sse('/events?decision=deny');
    const scoped = await sse('/events?client=10.0.0.7&host=%20PyPI.Test%20');
    const live = f.admin.context.live;
    live.publish(record({ host: 'skip.test' }));
    live.publish(record({ host: 'files.pypi.test', client: '10.0.0.8', id: 'other-client' }));
    live.publish(record({ host: 'notpypi.test', client: '10.0.0.7', id: 'other-host' }));
    live.publish(record({ host: 'files.pypi.test', client: '10.0.0.7', id: 'wanted' }));
    live.publish(denial('shown.test'));
    await denied.until(/event: decision\ndata: .*"host":"shown\.test"/);
    assert.doesNotMatch(denied.text, /skip\.test|pypi/);
    await scoped.until(/event: decision\ndata: .*"id":"wanted"/);
    assert.doesNotMatch(scoped.text, /other-client|other-host|shown\.test|skip\.test/);
    await Promise.all([denied.cancel(), scoped.cancel()]);
    assert.equal((await f.call('/events?decision=maybe')).status, 400);
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
