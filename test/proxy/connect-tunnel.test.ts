/**
 * CONNECT tunnels through the real proxy: Node https and curl through a tunnel to an HTTPS origin
 * with a test CA, the SNI check (mismatch, missing, non-TLS), denials with pipelined bytes, and
 * bad authorities.
 */
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { Socket } from 'node:net';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AccessRecord } from '../../src/proxy/records.js';
import { createTestCa, type TestCa } from '../support/ca.js';
import { curl, openTunnel, rawExchange } from '../support/clients.js';
import { createHttpsOrigin, type Origin } from '../support/origins.js';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';

/** TLS over a tunnel; resolves 'ok' when the handshake completes, or the error's code/message. */
function tlsOver(socket: Socket, servername: string | undefined, ca: string): Promise<string> {
  return new Promise((resolve) => {
    const t = tlsConnect({ socket, servername, ca, ...(servername === undefined ? { host: '' } : {}) });
    t.on('secureConnect', () => {
      t.destroy();
      resolve('ok');
    });
    t.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    t.on('close', () => resolve('closed'));
  });
}

function connectTunnels(engine: ProxyEngine): void {
  let ca: TestCa;
  let origin: Origin;
  let proxy: TestProxy;
  let caFile: string;

  before(async () => {
    ca = await createTestCa();
    origin = await createHttpsOrigin(ca, ['secure.test', 'other.test']);
    proxy = await startTestProxy({
      engine,
      https: ['secure.test', '127.0.0.1'],
      httpsPorts: [origin.port],
      hosts: { 'secure.test': '127.0.0.1', 'other.test': '127.0.0.1' },
    });
    const dir = mkdtempSync(join(tmpdir(), 'cordon-ca-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca.certPem);
  });
  after(async () => {
    await proxy.close();
    await origin.close();
  });

  it('relays HTTPS for curl through an allowed tunnel', async () => {
    const r = await curl([
      '-x',
      proxy.url,
      '--cacert',
      caFile,
      `https://secure.test:${origin.port}/over-tls`,
    ]);
    assert.equal(r.status, 200, r.stderr);
    assert.equal((JSON.parse(r.body) as { url: string }).url, '/over-tls');
    const rec = await proxy.waitForRecord(
      (x) => x.method === 'CONNECT' && x.host === 'secure.test' && x.status === 200,
    );
    assert.equal(rec.decision, 'allow');
    assert.equal(rec.path, null);
    assert.ok(rec.bytesUp > 0 && rec.bytesDown > 0);
  });

  it('closes a tunnel without ending a socket twice (Node builds and drops an error each time)', async () => {
    const proto = Socket.prototype;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- kept to restore, and called with apply
    const end = proto.end;
    let wasted = 0;
    proto.end = function (this: Socket, ...args: Parameters<Socket['end']>): Socket {
      if (this.writableEnded || this.destroyed) wasted++;
      return end.apply(this, args);
    } as Socket['end'];
    try {
      for (let i = 0; i < 2; i++) {
        const before = proxy.records.length;
        const url = `https://secure.test:${origin.port}/close-${i}`;
        const r = await curl(['-x', proxy.url, '--cacert', caFile, '-H', 'Connection: close', url]);
        assert.equal(r.status, 200, r.stderr);
        // The record is written once the tunnel has closed on both sides.
        await proxy.waitForRecord((x) => x.method === 'CONNECT' && proxy.records.indexOf(x) >= before);
      }
    } finally {
      proto.end = end;
    }
    assert.equal(wasted, 0);
  });

  it('relays HTTPS for Node https over a CONNECT socket', async () => {
    const { status, socket } = await openTunnel(proxy.port, `secure.test:${origin.port}`);
    assert.equal(status, 200);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: 'secure.test',
          port: origin.port,
          path: '/node',
          ca: ca.certPem,
          servername: 'secure.test',
          createConnection: () => tlsConnect({ socket, servername: 'secure.test', ca: ca.certPem }),
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal((JSON.parse(body) as { url: string }).url, '/node');
  });

  it('closes a tunnel whose TLS server name differs from the CONNECT host (domain fronting)', async () => {
    const seen = origin.seen.length;
    const { status, socket } = await openTunnel(proxy.port, `secure.test:${origin.port}`);
    assert.equal(status, 200);
    const outcome = await tlsOver(socket, 'other.test', ca.certPem);
    assert.notEqual(outcome, 'ok');
    const rec = await proxy.waitForRecord((x) => x.reason === 'sni_mismatch');
    assert.equal(rec.decision, 'deny');
    assert.equal(rec.bytesUp, 0, 'no byte reached the upstream');
    assert.equal(origin.seen.length, seen);
  });

  it('refuses a ClientHello without SNI to a named host', async () => {
    const { socket } = await openTunnel(proxy.port, `secure.test:${origin.port}`);
    const outcome = await tlsOver(socket, undefined, ca.certPem);
    assert.notEqual(outcome, 'ok');
    await proxy.waitForRecord((x) => x.reason === 'sni_missing');
  });

  it('allows no SNI when the CONNECT target is an allowed IP literal', async () => {
    const { status, socket } = await openTunnel(proxy.port, `127.0.0.1:${origin.port}`);
    assert.equal(status, 200);
    const t = tlsConnect({ socket, ca: ca.certPem, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      t.on('secureConnect', () => resolve());
      t.on('error', reject);
    });
    t.destroy();
  });

  it('refuses non-TLS bytes on a TLS tunnel', async () => {
    const r = await rawExchange(
      proxy.port,
      `CONNECT secure.test:${origin.port} HTTP/1.1\r\nHost: secure.test\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    assert.match(r.text, /^HTTP\/1\.1 200/);
    assert.equal(r.closed, true);
    await proxy.waitForRecord((x) => x.reason === 'not_tls');
  });

  it('records a tunnel the client closed before sending a byte as allowed, and one closed mid-ClientHello as not_tls', async () => {
    const seen = origin.seen.length;
    const empty = await openTunnel(proxy.port, `secure.test:${origin.port}`);
    assert.equal(empty.status, 200);
    // A tunnel that relayed nothing, recorded from here on: an earlier test's late record has bytes.
    const nothingSince = (from: number) => (x: AccessRecord) =>
      proxy.records.indexOf(x) >= from && x.host === 'secure.test' && x.bytesUp === 0 && x.bytesDown === 0;
    const from0 = proxy.records.length;
    empty.socket.end();
    const quiet = await proxy.waitForRecord(nothingSince(from0));
    assert.deepEqual(
      [quiet.decision, quiet.status, quiet.bytesUp, quiet.reason === 'not_tls'],
      ['allow', 200, 0, false],
    );
    // A TLS handshake record header and part of a ClientHello, then the client leaves.
    const half = await openTunnel(proxy.port, `secure.test:${origin.port}`);
    const from1 = proxy.records.length;
    half.socket.end(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x80, 0x01, 0x00]));
    const cut = await proxy.waitForRecord(nothingSince(from1));
    assert.deepEqual([cut.decision, cut.reason, cut.bytesUp], ['deny', 'not_tls', 0]);
    assert.equal(origin.seen.length, seen, 'nothing reached the origin');
  });

  it('denies a CONNECT to a host off the allowlist and never forwards pipelined bytes', async () => {
    const r = await rawExchange(
      proxy.port,
      `CONNECT other.test:${origin.port} HTTP/1.1\r\nHost: other.test\r\n\r\nGET http://secure.test:${origin.port}/smuggled HTTP/1.1\r\nHost: secure.test\r\n\r\n`,
    );
    assert.match(r.text, /^HTTP\/1\.1 403/);
    assert.match(r.text, /X-Cordon-Reason: not_allowlisted/);
    assert.ok(!r.text.includes('/smuggled"'));
    assert.equal(r.closed, true);
    assert.equal(proxy.records.filter((x) => x.path === '/smuggled').length, 0);
  });

  for (const [name, authority] of [
    ['a port with a sign', 'secure.test:+443'],
    ['no port', 'secure.test'],
    ['userinfo', 'user@secure.test:443'],
    ['port 0', 'secure.test:0'],
    ['port too large', 'secure.test:65536'],
  ] as const) {
    it(`refuses a CONNECT authority with ${name}`, async () => {
      const r = await rawExchange(proxy.port, `CONNECT ${authority} HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match(r.text, /^HTTP\/1\.1 400/);
    });
  }

  it('denies a CONNECT to a port outside the https port set', async () => {
    const r = await rawExchange(proxy.port, `CONNECT secure.test:25 HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(r.text, /^HTTP\/1\.1 403/);
    assert.match(r.text, /port_not_allowed/);
  });
}

for (const engine of PROXY_ENGINES) describe(`CONNECT tunnels (${engine})`, () => connectTunnels(engine));
