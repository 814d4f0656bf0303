/**
 * WebSocket upgrades: decided like any plain-HTTP request, then relayed both ways; other upgrades
 * (h2c) refused with 400.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';

/** An origin that accepts WebSocket upgrades and echoes every byte after the 101. */
async function wsEchoOrigin(): Promise<{ server: Server; port: number; upgrades: string[] }> {
  const upgrades: string[] = [];
  const server = createServer((_req, res) => res.end('plain'));
  server.on('upgrade', (req, socket: Socket) => {
    upgrades.push(`${req.url} host=${req.headers.host}`);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, upgrades };
}

/** Send an upgrade request through the proxy; resolve with the first response bytes and the socket. */
function upgradeThrough(
  proxyPort: number,
  url: string,
  proto = 'websocket',
): Promise<{ head: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: proxyPort }, () => {
      socket.write(
        `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${proto}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    });
    socket.once('data', (c: Buffer) => resolve({ head: c.toString('latin1'), socket }));
    socket.on('error', reject);
  });
}

function upgrades(engine: ProxyEngine): void {
  let origin: Awaited<ReturnType<typeof wsEchoOrigin>>;
  let proxy: TestProxy;

  before(async () => {
    origin = await wsEchoOrigin();
    proxy = await startTestProxy({
      engine,
      http: ['ws.test'],
      httpPorts: [origin.port],
      hosts: { 'ws.test': '127.0.0.1' },
    });
  });
  after(async () => {
    await proxy.close();
    await new Promise((r) => origin.server.close(r));
  });

  it('relays an allowed WebSocket both ways after the 101', async () => {
    const { head, socket } = await upgradeThrough(proxy.port, `http://ws.test:${origin.port}/chat`);
    assert.match(head, /^HTTP\/1\.1 101/);
    assert.equal(origin.upgrades.at(-1), `/chat host=ws.test:${origin.port}`);
    const echoed = new Promise<string>((resolve) =>
      socket.once('data', (c: Buffer) => resolve(c.toString())),
    );
    socket.write('frame-bytes');
    assert.equal(await echoed, 'frame-bytes');
    socket.destroy();
    const rec = await proxy.waitForRecord((r) => r.path === '/chat');
    assert.equal(rec.decision, 'allow');
    assert.equal(rec.status, 101);
  });

  it('denies a WebSocket to a destination off the allowlist', async () => {
    const { head, socket } = await upgradeThrough(proxy.port, `http://evil.test:${origin.port}/chat`);
    socket.destroy();
    assert.match(head, /^HTTP\/1\.1 403/);
    assert.match(head, /X-Cordon-Reason: not_allowlisted/);
  });

  it('refuses an h2c upgrade', async () => {
    const { head, socket } = await upgradeThrough(proxy.port, `http://ws.test:${origin.port}/`, 'h2c');
    socket.destroy();
    assert.match(head, /^HTTP\/1\.1 400/);
  });
}

for (const engine of PROXY_ENGINES) describe(`WebSocket upgrades (${engine})`, () => upgrades(engine));
