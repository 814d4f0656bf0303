/**
 * Plain-HTTP forwarding through the real proxy with real clients (curl, undici, Node http):
 * decisions, header hygiene, bodies, keep-alive, error mapping and records.
 */
import assert from 'node:assert/strict';
import { Agent as HttpAgent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ProxyAgent, fetch } from 'undici';
import { curl } from '../support/clients.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';

function httpForwarding(engine: ProxyEngine): void {
  let origin: Origin;
  let proxy: TestProxy;
  let base: string;

  before(async () => {
    origin = await createHttpOrigin();
    proxy = await startTestProxy({
      engine,
      http: ['.allowed.test', 'exact.test'],
      httpPorts: [origin.port],
      hosts: {
        'www.allowed.test': '127.0.0.1',
        'exact.test': '127.0.0.1',
        'private.allowed.test': '127.0.0.1',
        'nodns.allowed.test': '127.0.0.1',
      },
    });
    base = `http://www.allowed.test:${origin.port}`;
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  it('forwards an allowed request and regenerates Host from the URI', async () => {
    const r = await curl([
      '-x',
      proxy.url,
      '-H',
      'Host: evil.test',
      '-H',
      'Proxy-Authorization: Basic c2VjcmV0',
      `${base}/hello?q=1`,
    ]);
    assert.equal(r.status, 200);
    const echoed = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    assert.equal(echoed.url, '/hello?q=1');
    assert.equal(echoed.headers.host, `www.allowed.test:${origin.port}`);
    assert.equal(echoed.headers['proxy-authorization'], undefined);
    const rec = await proxy.waitForRecord((x) => x.path === '/hello');
    assert.equal(rec.decision, 'allow');
    assert.equal(rec.reason, 'allowed');
    assert.equal(rec.resolved, '127.0.0.1');
    assert.equal(rec.status, 200);
    assert.ok(rec.bytesDown > 0);
    assert.match(rec.rule ?? '', /\.allowed\.test/);
    assert.ok(!JSON.stringify(rec).includes('c2VjcmV0'), 'credentials never reach a record');
  });

  it('denies a destination not on the allowlist with 403 and an explanation, without contacting it', async () => {
    const before = origin.seen.length;
    const r = await curl(['-x', proxy.url, `http://other.test:${origin.port}/x`]);
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-cordon-decision'], 'deny');
    assert.equal(r.headers['x-cordon-reason'], 'not_allowlisted');
    assert.match(r.body, /other\.test/);
    assert.match(r.body, /Ask the platform team\./);
    assert.equal(origin.seen.length, before);
    const rec = await proxy.waitForRecord((x) => x.host === 'other.test');
    assert.equal(rec.reason, 'not_allowlisted');
    assert.equal(rec.resolved, null);
  });

  it('matches squid dstdomain semantics: exact entry does not cover subdomains', async () => {
    const ok = await curl(['-x', proxy.url, `http://exact.test:${origin.port}/`]);
    assert.equal(ok.status, 200);
    const no = await curl(['-x', proxy.url, `http://sub.exact.test:${origin.port}/`]);
    assert.equal(no.status, 403);
  });

  it('refuses a port outside the http port set', async () => {
    const r = await curl(['-x', proxy.url, `http://www.allowed.test:8081/`]);
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-cordon-reason'], 'port_not_allowed');
  });

  it('refuses an allowed name whose address is not public when the range is not allowed', async () => {
    proxy.setPolicy({
      http: ['.allowed.test'],
      httpPorts: [origin.port],
      hosts: { 'private.allowed.test': '127.0.0.1' },
      allowPrivate: [],
    });
    try {
      const r = await curl(['-x', proxy.url, `http://private.allowed.test:${origin.port}/`]);
      assert.equal(r.status, 403);
      assert.equal(r.headers['x-cordon-reason'], 'blocked_address');
    } finally {
      proxy.setPolicy({
        http: ['.allowed.test', 'exact.test'],
        httpPorts: [origin.port],
        hosts: { 'www.allowed.test': '127.0.0.1', 'exact.test': '127.0.0.1' },
      });
    }
  });

  it('answers 502 dns_failure when an allowed name does not resolve', async () => {
    const r = await curl(['-x', proxy.url, `http://unknown.allowed.test:${origin.port}/`]);
    assert.equal(r.status, 502);
    assert.equal(r.headers['x-cordon-reason'], 'dns_failure');
  });

  it('streams request bodies, chunked and with Content-Length', async () => {
    const r1 = await curl(['-x', proxy.url, '--data-binary', 'hello body', `${base}/post`]);
    assert.equal((JSON.parse(r1.body) as { body: string }).body, 'hello body');
    const r2 = await curl([
      '-x',
      proxy.url,
      '-H',
      'Transfer-Encoding: chunked',
      '--data-binary',
      'chunked body',
      `${base}/post2`,
    ]);
    assert.equal((JSON.parse(r2.body) as { body: string }).body, 'chunked body');
    const rec = await proxy.waitForRecord((x) => x.path === '/post2');
    assert.equal(rec.bytesUp, 'chunked body'.length);
  });

  it('strips hop-by-hop headers and forged X-Cordon headers from responses', async () => {
    const r = await curl(['-x', proxy.url, `${base}/forge`]);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-cordon-decision'], undefined);
    assert.equal(r.headers['x-secret'], undefined);
  });

  it('works with undici ProxyAgent, tunnelling (its default) or not', async () => {
    const plain = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    const tunnel = new ProxyAgent(proxy.url);
    try {
      const a = await fetch(`${base}/undici-plain`, { dispatcher: plain });
      assert.equal(a.status, 200);
      await a.text();
      const b = await fetch(`${base}/undici-tunnel`, { dispatcher: tunnel });
      assert.equal(b.status, 200);
      await b.text();
      const rec = await proxy.waitForRecord((x) => x.method === 'CONNECT' && x.scheme === 'http');
      assert.equal(rec.decision, 'allow');
    } finally {
      await plain.close();
      await tunnel.close();
    }
  });

  it('reuses the client connection with undici', async () => {
    const dispatcher = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${base}/undici${i}`, { dispatcher });
        assert.equal(res.status, 200);
        await res.text();
      }
    } finally {
      await dispatcher.close();
    }
  });

  it('keeps client connections alive across requests (Node http agent)', async () => {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: proxy.port, path: `${base}/ka${i}`, agent }, (res) => {
          sockets.add(res.socket);
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', reject);
        req.end();
      });
    }
    agent.destroy();
    assert.equal(sockets.size, 1);
  });

  it('pools upstream connections', async () => {
    const beforeConns = origin.connections;
    for (let i = 0; i < 5; i++) await curl(['-x', proxy.url, `${base}/pool${i}`]);
    assert.ok(
      origin.connections - beforeConns <= 1,
      `opened ${origin.connections - beforeConns} upstream connections`,
    );
  });
}

for (const engine of PROXY_ENGINES) describe(`HTTP forwarding (${engine})`, () => httpForwarding(engine));
