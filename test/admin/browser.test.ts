/**
 * The whole loop in a real browser (Debian's Chromium via playwright-core) against a real gateway
 * and admin listener: sign in with the generated token; a request through the proxy is denied; it
 * shows in the review queue; approve it (from the keyboard); the same request passes; the change
 * is in the policy history with its diff; revert it and the request is denied again. Screenshots
 * of every page go to docs/screenshots/ for the README.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Browser, Page } from 'playwright-core';
import { createAdminService, type AdminService } from '../../src/admin/service.js';
import { createGateway, type Gateway } from '../../src/gateway/gateway.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { httpGet } from '../support/clients.js';
import { ensureChromium, launchChromium } from './fixtures/chromium.js';
import { focusPastHeader, tabThrough } from './fixtures/keyboard.js';

const viaProxy = async (proxyPort: number, url: string): Promise<number> =>
  (await httpGet(proxyPort, url)).status;

const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

/** Resolves once the audit store has written at least `n` records (it flushes on its own timer). */
function written(admin: AdminService, n: number, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the store did not reach ${n} records`)), timeoutMs);
    const check = (): void => {
      if (admin.store.stats().written < n) return;
      clearTimeout(timer);
      off();
      resolve();
    };
    const off = admin.store.onFlush(check);
    check();
  });
}

describe('admin dashboard in a browser', () => {
  let origin: Origin;
  let gateway: Gateway;
  let admin: AdminService;
  let browser: Browser;
  let page: Page;
  let proxyPort = 0;
  let adminUrl = '';
  let records = 0;
  const consoleErrors: string[] = [];

  before(
    async () => {
      ensureChromium();
      origin = await createHttpOrigin();
      const dir = mkdtempSync(join(tmpdir(), 'cordon-browser-'));
      writeFileSync(
        join(dir, 'cordon.yaml'),
        `# Notebook egress policy
listen: 127.0.0.1:0
log: { json: null }
http:
  ports: [${origin.port}]
  allowFiles: [allowhttp.txt]
dns: { hosts: { deps.test: 127.0.0.1, docs.test: 127.0.0.1 }, allowPrivate: [127.0.0.0/8] }
admin: { listen: 127.0.0.1:0 }
storage: { dir: ./data }
`,
      );
      writeFileSync(join(dir, 'allowhttp.txt'), '# documentation mirrors\ndocs.test\n');
      gateway = createGateway({ configPath: join(dir, 'cordon.yaml'), logger: pino({ level: 'silent' }) });
      admin = createAdminService({ gateway, logger: pino({ level: 'silent' }), env: {} });
      proxyPort = (await gateway.start()).proxy.port;
      const address = await admin.listen();
      adminUrl = `http://127.0.0.1:${address?.port ?? 0}`;
      browser = await launchChromium();
      page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
      page.on('console', (m) => void (m.type() === 'error' && consoleErrors.push(m.text())));
      page.on('pageerror', (e) => consoleErrors.push(e.message));
      mkdirSync(SHOTS, { recursive: true });
    },
    { timeout: 20 * 60_000 },
  );
  after(async () => {
    await browser?.close();
    await gateway?.stop();
    await admin?.close();
    await origin?.close();
  });

  const shot = (name: string): Promise<Buffer> =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const proxied = async (path: string): Promise<number> => {
    const status = await viaProxy(proxyPort, `http://deps.test:${origin.port}${path}`);
    records += 1;
    return status;
  };

  it('signs in with the generated token, saved with mode 0600', async () => {
    const token = admin.token;
    assert.ok(token?.created);
    assert.equal(statSync(token.source).mode & 0o777, 0o600);
    await page.goto(`${adminUrl}/review`);
    assert.match(page.url(), /\/login\?next=%2Freview$/);
    await page.getByLabel('Your name').fill('alice');
    await shot('login');
    await page.getByLabel('Admin token').fill(token.token);
    await page.getByLabel('Admin token').press('Enter');
    await page.waitForURL(`${adminUrl}/review`);
    await page.getByText('Signed in as alice').waitFor();
  });

  it('denies, approves from the review queue, passes, then reverts and denies again', async () => {
    assert.equal(await proxied('/simple/pandas/'), 403);
    assert.equal(await proxied('/simple/numpy/'), 403);
    assert.equal(await viaProxy(proxyPort, `http://docs.test:${origin.port}/guide`), 200);
    records += 1;
    await written(admin, records);

    await page.goto(`${adminUrl}/review`);
    const row = page.locator('tr', { hasText: `http://deps.test:${origin.port}` });
    await row.waitFor();
    assert.match(await row.innerText(), /127\.0\.0\.1[\s\S]*×2/);
    await shot('review');
    await row.getByLabel('Allow').selectOption('host');
    await row.getByLabel('Reason').fill('pip needs the package index');
    await row.getByLabel('Reason').press('Enter');
    await page.getByText(/Allowed http deps\.test for group default \(change #\d+\)/).waitFor();

    assert.equal(await proxied('/simple/pandas/'), 200);

    await page.goto(`${adminUrl}/policy`);
    const change = page.locator('li', { hasText: 'pip needs the package index' });
    await change.waitFor();
    assert.match(await change.locator('pre.diff').innerText(), /\+deps\.test/);
    assert.match(await change.innerText(), /by alice/);
    await shot('policy');
    const id = /#(\d+)/.exec(await change.locator('strong').first().innerText())?.[1] ?? '';
    await change.getByLabel(`Reason to revert #${id}`).fill('only for the demo');
    await change.getByRole('button', { name: `Revert #${id}` }).click();
    await page.getByText(new RegExp(`Reverted #${id} \\(change #\\d+\\)`)).waitFor();
    await page.locator('li', { hasText: `reverts #${id}` }).waitFor();

    assert.equal(await proxied('/simple/pandas/'), 403);
    // Denied again after the revert: the destination is back in the queue.
    await written(admin, records);
    await page.goto(`${adminUrl}/review`);
    await page.locator('tr', { hasText: `http://deps.test:${origin.port}` }).waitFor();
  });

  it('tails decisions live, and shows the overview and clients', async () => {
    await page.goto(`${adminUrl}/live?decision=deny`);
    await page.getByText('Connected: decisions appear as they happen.').waitFor();
    assert.equal(await proxied('/live-tail-check'), 403);
    await page.locator('#live-rows tr', { hasText: '/live-tail-check' }).waitFor();
    await shot('live');
    await written(admin, records);
    await page.goto(`${adminUrl}/`);
    await page
      .locator('section', { hasText: 'Top denials' })
      .getByText(`http://deps.test:${origin.port}`)
      .waitFor();
    await shot('overview');
    await page.goto(`${adminUrl}/clients?client=127.0.0.1`);
    await page.getByText('Destinations of').waitFor();
    await shot('clients');
    assert.deepEqual(consoleErrors, [], 'no script errors or CSP violations');
  });

  it('reaches every control of every page from the keyboard, each named, with a focus ring', async (t) => {
    for (const path of ['/', '/live', '/review', '/policy', '/clients?client=127.0.0.1']) {
      await page.goto(`${adminUrl}${path}`);
      const { controls, stops } = await tabThrough(page);
      t.diagnostic(`${path}: ${controls} controls, ${stops.length} tab stops`);
      assert.equal(stops[0]?.name, 'Skip to content', `${path}: the skip link comes first`);
      const reached = new Set(stops.map((s) => s.index));
      const missed = Array.from({ length: controls }, (_, i) => i).filter((i) => !reached.has(i));
      assert.deepEqual(missed, [], `${path}: controls Tab never reaches`);
      for (const s of stops) {
        assert.ok(s.name !== '', `${path}: a ${s.tag} without a name`);
        assert.notEqual(s.outline, 'none', `${path}: no focus ring on ${s.tag} "${s.name}"`);
      }
    }
    // The skip link works: Enter moves focus past the navigation.
    await page.goto(`${adminUrl}/review`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.ok(await focusPastHeader(page), 'after the skip link, Tab goes to the page, not the navigation');
  });
});
