/**
 * The dashboard in-process: login sets a session cookie (and never redirects off-site), every page
 * renders for a signed-in user, form posts need the session's CSRF token and a same-origin Origin,
 * actions redirect back with a message, and sign-out ends the session.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { denial, record } from './fixtures/records.js';
import { startAdminFixture, TOKEN, type AdminFixture } from './fixtures/admin.js';

const ORIGIN = 'http://127.0.0.1';

/** What every dashboard response carries: nothing inline, no framing, no sniffing, no caching. */
function assertSecureHeaders(r: Response): void {
  const csp = r.headers.get('content-security-policy') ?? '';
  for (const directive of [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ]) {
    assert.ok(csp.includes(directive), `CSP lacks ${directive}: ${csp}`);
  }
  assert.equal(r.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('referrer-policy'), 'same-origin');
  assert.equal(r.headers.get('cache-control'), 'no-store');
}

describe('dashboard pages', () => {
  let f: AdminFixture;
  let cookie = '';
  let csrf = '';
  const page = (
    path: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ) =>
    f.call(path, {
      auth: false,
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN } : {}),
        ...init.headers,
      },
    });

  before(async () => {
    f = await startAdminFixture({ 'cordon.yaml': 'log: { json: null }\nhttp: { allow: [a.test] }\n' });
    f.store.add(record({ host: 'a.test' }));
    f.store.add(denial('wanted.test', { client: '10.1.2.3' }));
    f.store.flush();
  });
  after(() => f.close());

  it('sends secure headers with the login page, which needs no script or style inline', async () => {
    const r = await page('/login');
    assert.equal(r.status, 200);
    assertSecureHeaders(r);
    assert.doesNotMatch(await r.text(), /<script>|<style>| style=| on[a-z]+=/i);
  });

  it('refuses a wrong token and keeps redirects on this site', async () => {
    const bad = await page('/login', { form: { token: 'nope', next: '/' } });
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /That token is not right/);
    const ok = await page('/login', { form: { token: TOKEN, actor: 'alice', next: '//evil.test/x' } });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/');
    const set = ok.headers.get('set-cookie') ?? '';
    assert.match(set, /cordon_session=[\w-]+;.*HttpOnly/i);
    assert.match(set, /SameSite=Strict/i);
    cookie = set.split(';')[0] ?? '';
  });

  const pages: [string, RegExp][] = [
    ['/', /<h1>Overview<\/h1>[\s\S]*Top denials[\s\S]*http:\/\/wanted\.test:80/],
    ['/live', /Live tail[\s\S]*id="live-rows"[\s\S]*a\.test/],
    ['/review', /Review queue[\s\S]*http:\/\/wanted\.test:80[\s\S]*this host only: wanted\.test/],
    ['/policy', /Group default[\s\S]*a\.test[\s\S]*Change history/],
    ['/clients', /Clients[\s\S]*10\.1\.2\.3/],
    ['/clients?client=10.1.2.3', /Destinations of[\s\S]*wanted\.test/],
  ];
  for (const [path, pattern] of pages) {
    it(`renders ${path}`, async () => {
      const r = await page(path);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      assertSecureHeaders(r);
      const html = await r.text();
      assert.match(html, pattern);
      assert.match(html, /Signed in as alice/);
      csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? csrf;
    });
  }

  it('refuses posts without the CSRF token or from another origin', async () => {
    const id = /id="item-(\d+)"/.exec(await (await page('/review')).text())?.[1];
    const noToken = await page(`/review/${id}/reject`, { form: { reason: 'x' } });
    assert.equal(noToken.status, 403);
    const cross = await page(`/review/${id}/reject`, {
      form: { reason: 'x', _csrf: csrf },
      headers: { origin: 'http://evil.test' },
    });
    assert.equal(cross.status, 403);
    assert.equal((await page('/review')).status, 200);
  });

  it('approves through the form and shows what happened', async () => {
    const html = await (await page('/review')).text();
    const id = /id="item-(\d+)"/.exec(html)?.[1];
    const hash = /name="policyHash" value="([0-9a-f]+)"/.exec(html)?.[1] ?? '';
    const r = await page(`/review/${id}/approve`, {
      form: { _csrf: csrf, policyHash: hash, scope: 'host', group: 'default', reason: 'tests' },
    });
    assert.equal(r.status, 303);
    assert.equal(r.headers.get('location'), '/review');
    const after = await (await page('/review')).text();
    assert.match(after, /Allowed http wanted\.test for group default \(change #\d+\)/);
    assert.match(after, /Nothing waiting/);
    const policy = await (await page('/policy')).text();
    assert.match(policy, /by <strong>alice<\/strong>: tests/);
    assert.match(policy, /<span class="add">\+.*wanted\.test/);
  });

  it('reports a stale form as a conflict, writing nothing', async () => {
    f.store.add(denial('second.test'));
    f.store.flush();
    const id = /id="item-(\d+)"/.exec(await (await page('/review')).text())?.[1];
    const r = await page(`/review/${id}/approve`, {
      form: { _csrf: csrf, policyHash: '0123456789abcdef', scope: 'host', reason: 'x' },
    });
    assert.equal(r.status, 303);
    assert.match(
      await (await page('/review')).text(),
      /role="alert">the policy files changed since you read them/,
    );
  });

  it('signs out', async () => {
    const r = await page('/logout', { form: { _csrf: csrf } });
    assert.equal(r.status, 303);
    const again = await page('/');
    assert.equal(again.status, 303);
    assert.match(again.headers.get('location') ?? '', /^\/login/);
  });
});
