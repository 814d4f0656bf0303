/**
 * Timeouts, pooling and failure paths through the real proxy with short timeouts: upstream header
 * timeout, idle keep-alive timeout, slow request heads, a pooled connection that went stale, an
 * upstream that sends bytes after its response or answers before reading the body, and a request
 * body that breaks chunked framing. Engine-specific behaviour is marked where the engines differ.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { rawExchange } from '../support/clients.js';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';
import { startRawOrigin, statusLines, type RawOrigin, type RawRequest, type Reply } from './fast-support.js';

function script(req: RawRequest): Reply {
  const path = /^\S+ (\S+)/.exec(req.head)?.[1] ?? '';
  if (path === '/silent') return '';
  if (path === '/stale' && req.seq > 0) return null;
  if (path === '/junk') return 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK';
  if (path.startsWith('/reason/'))
    return `HTTP/1.1 200 ${decodeURIComponent(path.slice(8))}\r\nContent-Length: 0\r\n\r\n`;
  if (path === '/early') return 'HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n';
  return `HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`;
}

/** Open a connection, write `data`, resolve with what came back once the proxy closes it. */
function untilClosed(port: number, data: string, timeoutMs = 5000): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`not closed within ${timeoutMs} ms; got ${JSON.stringify(text)}`));
    }, timeoutMs);
    s.on('data', (c: Buffer) => (text += c.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, ms: Date.now() - t0 });
    });
    s.write(data);
  });
}

function edgeSuite(engine: ProxyEngine): void {
  let raw: RawOrigin;
  let proxy: TestProxy;
  let base: string;
  const fastOnly = engine === 'node' ? 'node engine behaves differently (see the test name)' : false;

  before(async () => {
    raw = await startRawOrigin(script, (head) => head.includes('/early '));
    proxy = await startTestProxy({
      engine,
      http: ['raw.test'],
      httpPorts: [raw.port],
      hosts: { 'raw.test': '127.0.0.1' },
      settings: { timeouts: { headersMs: 400, idleMs: 600, upstreamHeadersMs: 300, connectMs: 1000 } },
    });
    base = `http://raw.test:${raw.port}`;
  });
  after(async () => {
    await proxy.close();
    await raw.close();
  });

  const get = (path: string, extra = ''): string =>
    `GET ${base}${path} HTTP/1.1\r\nHost: raw.test\r\n${extra}\r\n`;

  it('answers 504 upstream_timeout when the upstream sends no response head in time', async () => {
    const r = await rawExchange(proxy.port, get('/silent'));
    assert.match(r.text, /^HTTP\/1\.1 504/);
    assert.match(r.text, /X-Cordon-Reason: upstream_timeout/);
  });

  it('closes an idle keep-alive connection after idleMs', async () => {
    const r = await untilClosed(proxy.port, get('/idle'));
    assert.match(r.text, /\/idle$/);
    assert.ok(r.ms >= 500, `closed after ${r.ms} ms`);
  });

  it('closes a pooled upstream connection after idleMs (fast engine)', { skip: fastOnly }, async () => {
    const t0 = Date.now();
    const r = await rawExchange(proxy.port, get('/pooled', 'Connection: close\r\n'));
    assert.match(r.text, /\/pooled$/);
    const conn = raw.requests.at(-1)?.conn ?? -1;
    await raw.waitClosed(conn);
    assert.ok(Date.now() - t0 >= 500, `closed after ${Date.now() - t0} ms`);
  });

  // The node engine loses both responses when the upstream sends junk after one.
  it(
    'does not reuse an upstream connection that sent bytes after its response',
    { skip: fastOnly },
    async () => {
      const before = raw.connections;
      const r = await rawExchange(proxy.port, get('/junk') + get('/after-junk', 'Connection: close\r\n'));
      assert.deepEqual(statusLines(r.text), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
      assert.ok(!r.text.includes('JUNK'));
      assert.equal(raw.connections - before, 2);
    },
  );

  it(
    'answers 408 to a request head that trickles in past headersMs (fast engine)',
    { skip: fastOnly },
    async () => {
      const s = connect(proxy.port, '127.0.0.1');
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString('latin1')));
      s.on('error', () => undefined);
      const head = get('/slow');
      let i = 0;
      const drip = setInterval(() => {
        if (!s.destroyed && i < head.length - 4) s.write(head[i++] ?? '');
      }, 50);
      await new Promise<void>((resolve) => s.on('close', () => resolve()));
      clearInterval(drip);
      assert.match(text, /^HTTP\/1\.1 408/);
      assert.ok(i < head.length - 4, 'cut off before the head was complete');
    },
  );

  it(
    'retries a request once when a pooled connection turns out stale (fast engine)',
    { skip: fastOnly },
    async () => {
      const first = await rawExchange(proxy.port, get('/stale', 'Connection: close\r\n'));
      assert.match(first.text, /^HTTP\/1\.1 200/);
      // The pooled connection now drops its next request unanswered, as a server closing it would.
      const second = await rawExchange(proxy.port, get('/stale', 'Connection: close\r\n'));
      assert.match(second.text, /^HTTP\/1\.1 200/);
    },
  );

  it(
    'relays an early response and closes the client connection (fast engine)',
    { skip: fastOnly },
    async () => {
      const head = `POST ${base}/early HTTP/1.1\r\nHost: raw.test\r\nContent-Length: 1000000\r\n\r\n`;
      const r = await untilClosed(proxy.port, head + 'x'.repeat(1000));
      assert.deepEqual(statusLines(r.text), ['HTTP/1.1 413 Payload Too Large']);
      assert.match(r.text, /Connection: close/);
    },
  );

  it('answers 400 and aborts the upstream request on a broken chunked request body', async () => {
    const seen = raw.requests.length;
    const bad = `POST ${base}/chunks HTTP/1.1\r\nHost: raw.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n`;
    const r = await untilClosed(proxy.port, bad);
    if (engine === 'fast') assert.match(r.text, /^HTTP\/1\.1 400/);
    const rec = await proxy.waitForRecord((x) => x.path === '/chunks');
    assert.equal(rec.status, 400);
    assert.ok(raw.requests.length - seen <= 1);
  });

  it('passes the reason phrase on as the upstream sent it', async () => {
    for (const reason of ['OK', 'NO', 'Ok', 'OKAY', 'O', 'All Good']) {
      const r = await rawExchange(
        proxy.port,
        get(`/reason/${encodeURIComponent(reason)}`, 'Connection: close\r\n'),
      );
      assert.deepEqual(statusLines(r.text), [`HTTP/1.1 200 ${reason}`], reason);
    }
  });

  it('closes idle client connections promptly on close()', async () => {
    const s = connect(proxy.port, '127.0.0.1');
    s.on('error', () => undefined);
    await new Promise<void>((resolve) => s.once('data', () => resolve()).write(get('/before-close')));
    const closed = new Promise<void>((resolve) => s.on('close', () => resolve()));
    const t0 = Date.now();
    await proxy.close();
    await closed;
    assert.ok(Date.now() - t0 < 1000, `close took ${Date.now() - t0} ms`);
  });
}

for (const engine of PROXY_ENGINES)
  describe(`timeouts, pooling and failures (${engine})`, () => edgeSuite(engine));
