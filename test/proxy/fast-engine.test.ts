/**
 * Response framing and connection handling through the real proxy, for both engines (the fast
 * engine must behave as the node engine does): pipelining, HTTP/1.0 clients, HEAD/204/304,
 * close-delimited and chunked responses, ambiguous upstream framing, 100-continue, large bodies
 * both ways, and denials that keep or close the connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawExchange } from '../support/clients.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';
import { startRawOrigin, statusLines, type RawOrigin, type RawRequest, type Reply } from './fast-support.js';

/** Canned upstream answers, chosen by the request path. */
function script(req: RawRequest): Reply {
  const path = /^\S+ (\S+)/.exec(req.head)?.[1] ?? '';
  switch (path) {
    case '/chunked':
      return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n';
    case '/close':
      return 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end';
    case '/204':
      return 'HTTP/1.1 204 No Content\r\n\r\n';
    case '/304':
      return 'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n';
    case '/head':
      return 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n';
    case '/cl-te':
      return 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n';
    case '/cl-cl':
      return 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!';
    case '/bad-chunk':
      return 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n';
    case '/ws':
      return 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    case '/interim':
      return 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    default:
      return `HTTP/1.1 200 OK\r\nContent-Length: ${path.length}\r\n\r\n${path}`;
  }
}

function engineSuite(engine: ProxyEngine): void {
  let raw: RawOrigin;
  let echo: Origin;
  let proxy: TestProxy;
  let base: string;
  let echoBase: string;

  before(async () => {
    raw = await startRawOrigin(script);
    echo = await createHttpOrigin();
    proxy = await startTestProxy({
      engine,
      http: ['raw.test', 'echo.test'],
      httpPorts: [raw.port, echo.port],
      hosts: { 'raw.test': '127.0.0.1', 'echo.test': '127.0.0.1' },
    });
    base = `http://raw.test:${raw.port}`;
    echoBase = `http://echo.test:${echo.port}`;
  });
  after(async () => {
    await proxy.close();
    await raw.close();
    await echo.close();
  });

  const get = (path: string, extra = '', method = 'GET'): string =>
    `${method} ${base}${path} HTTP/1.1\r\nHost: raw.test\r\n${extra}\r\n`;

  it('answers pipelined requests in order on one connection', async () => {
    const r = await rawExchange(
      proxy.port,
      get('/one') + get('/two') + get('/three', 'Connection: close\r\n'),
    );
    assert.deepEqual(statusLines(r.text), ['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    assert.ok(
      r.text.indexOf('/one') < r.text.indexOf('/two') && r.text.indexOf('/two') < r.text.indexOf('/three'),
    );
    assert.equal(r.closed, true);
  });

  it('passes a chunked response on, without extensions or trailers', async () => {
    const r = await rawExchange(proxy.port, get('/chunked', 'Connection: close\r\n'));
    assert.match(r.text, /transfer-encoding: chunked/i);
    assert.ok(r.text.endsWith('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'), JSON.stringify(r.text));
    const rec = await proxy.waitForRecord((x) => x.path === '/chunked');
    assert.equal(rec.bytesDown, 11);
  });

  it('de-chunks for an HTTP/1.0 client and closes', async () => {
    const r = await rawExchange(proxy.port, `GET ${base}/chunked HTTP/1.0\r\n\r\n`);
    assert.match(r.text, /^HTTP\/1\.1 200/);
    assert.ok(r.text.endsWith('\r\n\r\nhello world'), JSON.stringify(r.text));
    assert.doesNotMatch(r.text, /transfer-encoding/i);
    assert.equal(r.closed, true);
  });

  it('relays a close-delimited response whole and keeps the client connection usable', async () => {
    const r = await rawExchange(proxy.port, get('/close') + get('/after', 'Connection: close\r\n'));
    assert.match(r.text, /until the end/);
    assert.match(r.text, /\/after/);
  });

  it('sends no body for HEAD, 204 and 304, and keeps the connection', async () => {
    const r = await rawExchange(
      proxy.port,
      get('/head', '', 'HEAD') + get('/204') + get('/304') + get('/last', 'Connection: close\r\n'),
    );
    assert.deepEqual(statusLines(r.text), [
      'HTTP/1.1 200 OK',
      'HTTP/1.1 204 No Content',
      'HTTP/1.1 304 Not Modified',
      'HTTP/1.1 200 OK',
    ]);
    assert.ok(r.text.endsWith('/last'));
  });

  it('drops interim 1xx responses from the upstream', async () => {
    const r = await rawExchange(proxy.port, get('/interim', 'Connection: close\r\n'));
    assert.deepEqual(statusLines(r.text), ['HTTP/1.1 200 OK']);
  });

  for (const path of ['/cl-te', '/cl-cl']) {
    it(`answers 502 upstream_error for ambiguous upstream framing (${path})`, async () => {
      const r = await rawExchange(proxy.port, get(path));
      assert.match(r.text, /^HTTP\/1\.1 502/);
      assert.match(r.text, /X-Cordon-Reason: upstream_error/);
      assert.equal(r.closed, true);
      const rec = await proxy.waitForRecord((x) => x.path === path);
      assert.equal(rec.reason, 'upstream_error');
    });
  }

  it('cuts the client off when the upstream breaks chunked framing mid-body', async () => {
    const r = await rawExchange(proxy.port, get('/bad-chunk'));
    // The head may or may not have gone out before the bad chunk was seen; the end of body never does.
    assert.equal(r.closed, true);
    assert.ok(!r.text.includes('0\r\n\r\n'), 'the client never sees a clean end of body');
    const rec = await proxy.waitForRecord((x) => x.path === '/bad-chunk');
    assert.equal(rec.reason, 'upstream_error');
  });

  it('relays a WebSocket upgrade to the checked address and refuses h2c', async () => {
    const ws = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n';
    const r = await rawExchange(proxy.port, get('/ws', ws), 1000);
    assert.match(r.text, /^HTTP\/1\.1 101/);
    const seen = raw.requests.at(-1)?.head ?? '';
    assert.match(seen, /^GET \/ws HTTP\/1\.1\r\n/);
    assert.match(seen, new RegExp(`\r\nHost: raw\\.test:${raw.port}\r\n`));
    const h2c = await rawExchange(
      proxy.port,
      get('/h2c', 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n'),
    );
    assert.match(h2c.text, /^HTTP\/1\.1 400/);
  });

  it('answers Expect: 100-continue and forwards the body', async () => {
    const body = 'expected body';
    const r = await rawExchange(
      proxy.port,
      `POST ${echoBase}/expect HTTP/1.1\r\nHost: echo.test\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    assert.match(r.text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200/);
    assert.match(r.text, /"body":"expected body"/);
  });

  it('streams large bodies both ways intact', async () => {
    const up = Buffer.alloc(3 * 1024 * 1024, 'u');
    const head = `POST ${echoBase}/big HTTP/1.1\r\nHost: echo.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const framed = Buffer.concat([
      Buffer.from(head),
      Buffer.from(`${up.length.toString(16)}\r\n`),
      up,
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    const r = await rawExchange(proxy.port, framed, 15000);
    assert.match(r.text, /^HTTP\/1\.1 200/);
    assert.equal(echo.seen.at(-1)?.body.length, up.length);
    const down = await rawExchange(
      proxy.port,
      `GET ${echoBase}/bytes/${8 * 1024 * 1024} HTTP/1.1\r\nHost: echo.test\r\nConnection: close\r\n\r\n`,
      15000,
    );
    const sep = down.text.indexOf('\r\n\r\n');
    assert.equal(down.text.length - sep - 4, 8 * 1024 * 1024);
    const rec = await proxy.waitForRecord((x) => x.path === `/bytes/${8 * 1024 * 1024}`);
    assert.equal(rec.bytesDown, 8 * 1024 * 1024);
  });

  it('keeps the connection after a denial without a body, closes it after one with a body', async () => {
    const deny = `GET http://denied.test/ HTTP/1.1\r\nHost: denied.test\r\n\r\n`;
    const r = await rawExchange(proxy.port, deny + get('/after-deny', 'Connection: close\r\n'));
    // Both engines keep a connection that has no request body pending, for the next request.
    assert.deepEqual(statusLines(r.text), ['HTTP/1.1 403 Forbidden', 'HTTP/1.1 200 OK']);
    const withBody = `POST http://denied.test/ HTTP/1.1\r\nHost: denied.test\r\nContent-Length: 5\r\n\r\nhello`;
    const r2 = await rawExchange(proxy.port, withBody + get('/never'));
    assert.deepEqual(statusLines(r2.text), ['HTTP/1.1 403 Forbidden']);
    assert.equal(r2.closed, true);
  });

  // node:http (httpAllowHalfOpen false) drops the request of a client that half-closes.
  const halfClose = engine === 'node' ? 'node:http ends the connection on a half-close' : false;
  it('still answers a client that half-closes after its request', { skip: halfClose }, async () => {
    const r = await rawExchange(proxy.port, get('/half'));
    // rawExchange writes without ending; check a real half-close too.
    assert.match(r.text, /\/half/);
    const { connect } = await import('node:net');
    const text = await new Promise<string>((resolve) => {
      const s = connect(proxy.port, '127.0.0.1');
      let out = '';
      s.on('data', (c: Buffer) => (out += c.toString('latin1')));
      s.on('close', () => resolve(out));
      s.on('error', () => undefined);
      s.end(get('/half-closed'));
    });
    assert.match(text, /^HTTP\/1\.1 200[\s\S]*\/half-closed$/);
  });
}

for (const engine of PROXY_ENGINES)
  describe(`HTTP framing and connections (${engine})`, () => engineSuite(engine));
