/**
 * Hostile and malformed input written as raw bytes: each gets a clear status and the proxy stays up.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { curl, rawExchange } from '../support/clients.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';

function malformedRequests(engine: ProxyEngine): void {
  let origin: Origin;
  let proxy: TestProxy;

  before(async () => {
    origin = await createHttpOrigin();
    proxy = await startTestProxy({
      engine,
      http: ['ok.test'],
      httpPorts: [origin.port],
      hosts: { 'ok.test': '127.0.0.1' },
      settings: { limits: { maxConnectionsPerClient: 50, maxUrlLength: 512 } },
    });
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  const cases: { name: string; send: () => string; status: RegExp; reason?: string }[] = [
    {
      name: 'origin-form request',
      send: () => 'GET / HTTP/1.1\r\nHost: ok.test\r\n\r\n',
      status: /^HTTP\/1\.1 400/,
      reason: 'bad_request',
    },
    { name: 'garbage request line', send: () => 'HELLO\r\n\r\n', status: /^HTTP\/1\.1 400/ },
    {
      name: 'header block over the limit',
      send: () => `GET http://ok.test/ HTTP/1.1\r\nHost: ok.test\r\nX-Big: ${'a'.repeat(40000)}\r\n\r\n`,
      status: /^HTTP\/1\.1 431/,
    },
    {
      name: 'URL over the limit',
      send: () => `GET http://ok.test/${'a'.repeat(600)} HTTP/1.1\r\nHost: ok.test\r\n\r\n`,
      status: /^HTTP\/1\.1 414/,
    },
    {
      name: 'Transfer-Encoding on HTTP/1.0',
      send: () =>
        `POST http://ok.test:${origin.port}/ HTTP/1.0\r\nHost: ok.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      status: /^HTTP\/1\.1 400/,
    },
    {
      name: 'duplicate Host',
      send: () => `GET http://ok.test:${origin.port}/ HTTP/1.1\r\nHost: ok.test\r\nHost: evil.test\r\n\r\n`,
      status: /^HTTP\/1\.1 400/,
    },
    {
      name: 'Transfer-Encoding other than chunked',
      send: () =>
        `POST http://ok.test:${origin.port}/ HTTP/1.1\r\nHost: ok.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
      status: /^HTTP\/1\.1 400/,
    },
    {
      name: 'Content-Length with Transfer-Encoding',
      send: () =>
        `POST http://ok.test:${origin.port}/ HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      status: /^HTTP\/1\.1 400/,
    },
    {
      name: 'userinfo in the URL',
      send: () => `GET http://ok.test@evil.test/ HTTP/1.1\r\nHost: ok.test\r\n\r\n`,
      status: /^HTTP\/1\.1 400/,
    },
    {
      name: 'https in absolute form',
      send: () => `GET https://ok.test/ HTTP/1.1\r\nHost: ok.test\r\n\r\n`,
      status: /^HTTP\/1\.1 403/,
      reason: 'scheme_not_allowed',
    },
    {
      name: 'gopher scheme',
      send: () => `GET gopher://ok.test/ HTTP/1.1\r\nHost: ok.test\r\n\r\n`,
      status: /^HTTP\/1\.1 403/,
      reason: 'scheme_not_allowed',
    },
    {
      name: 'h2c upgrade',
      send: () =>
        `GET http://ok.test:${origin.port}/ HTTP/1.1\r\nHost: ok.test\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n`,
      status: /^HTTP\/1\.1 400/,
    },
    { name: 'HTTP/2 preface', send: () => 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', status: /^HTTP\/1\.1 400/ },
  ];

  for (const c of cases) {
    it(`answers a ${c.name} clearly and stays up`, async () => {
      const before = origin.seen.length;
      const r = await rawExchange(proxy.port, c.send());
      assert.match(r.text, c.status);
      if (c.reason) assert.match(r.text, new RegExp(`X-Cordon-Reason: ${c.reason}`));
      assert.equal(origin.seen.length, before, 'nothing reached the origin');
      const ok = await curl(['-x', proxy.url, `http://ok.test:${origin.port}/alive`]);
      assert.equal(ok.status, 200);
    });
  }

  it('answers 429 with Retry-After past the per-client connection cap', async () => {
    const held = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<ReturnType<typeof connect>>((resolve) => {
            const s = connect({ host: '127.0.0.1', port: proxy.port }, () => resolve(s));
            s.on('error', () => undefined);
          }),
      ),
    );
    try {
      await new Promise<void>((resolve) => {
        const wait = (): void => {
          if (proxy.handle.stats().connections >= 50) resolve();
          else setImmediate(wait);
        };
        wait();
      });
      const r = await rawExchange(
        proxy.port,
        `GET http://ok.test:${origin.port}/ HTTP/1.1\r\nHost: ok.test\r\n\r\n`,
      );
      assert.match(r.text, /^HTTP\/1\.1 429/);
      assert.match(r.text, /Retry-After: \d+/);
    } finally {
      for (const s of held) s.destroy();
    }
  });
}

for (const engine of PROXY_ENGINES)
  describe(`malformed and refused requests (${engine})`, () => malformedRequests(engine));
