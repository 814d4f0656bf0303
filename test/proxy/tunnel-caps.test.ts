/**
 * Tunnel caps (`limits.maxTunnels`, `limits.maxTunnelsPerClient`), both engines, real sockets: a
 * CONNECT or WebSocket upgrade over a cap gets 429 with Retry-After and reason `limit_exceeded`, one
 * record, and a closed connection; open tunnels keep relaying; slots come back when tunnels close or
 * dials fail; a reload changes the caps for new tunnels only. Clients are told apart by their
 * loopback source address (127.0.0.0/8 is all local on Linux).
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { AccessRecord } from '../../src/proxy/records.js';
import {
  PROXY_ENGINES,
  startTestProxy,
  type ProxyEngine,
  type TestProxy,
  type TestProxyOptions,
} from '../support/proxy.js';
import {
  connectRequest,
  echo,
  send,
  tcpEchoOrigin,
  until,
  upgradeRequest,
  wsEchoOrigin,
  type EchoOrigin,
  type Reply,
} from './tunnel-clients.js';

const CAPS = { maxTunnels: 3, maxTunnelsPerClient: 2 };

function tunnelCaps(engine: ProxyEngine): void {
  let tcp: EchoOrigin;
  let ws: EchoOrigin;
  let proxy: TestProxy;
  let closedPort: number;
  const open: Socket[] = [];
  const options = (limits: Partial<typeof CAPS>): TestProxyOptions => ({
    engine,
    http: ['echo.test', 'ws.test', 'closed.test'],
    httpPorts: [tcp.port, ws.port, closedPort],
    hosts: { 'echo.test': '127.0.0.1', 'ws.test': '127.0.0.1', 'closed.test': '127.0.0.1' },
    settings: { limits: { ...CAPS, ...limits } },
  });
  const tunnel = (source: string): Promise<Reply> =>
    send(proxy.port, connectRequest(`echo.test:${tcp.port}`), source);
  /** Open a tunnel that must succeed, and keep it for afterEach to close. */
  const held = async (source: string): Promise<Socket> => {
    const r = await tunnel(source);
    assert.equal(r.status, 200, `tunnel from ${source}`);
    open.push(r.socket);
    assert.equal(await echo(r.socket, `hello from ${source}`), `hello from ${source}`);
    return r.socket;
  };
  const refusals = (): AccessRecord[] => proxy.records.filter((r) => r.reason === 'limit_exceeded');
  async function assertOverCap(r: Reply, detail: RegExp): Promise<void> {
    assert.equal(r.status, 429);
    assert.equal(r.headers['x-cordon-reason'], 'limit_exceeded');
    assert.match(r.headers['retry-after'] ?? '', /^\d+$/);
    const text = await r.closed;
    assert.match(text, detail);
  }

  before(async () => {
    tcp = await tcpEchoOrigin();
    ws = await wsEchoOrigin();
    // A port nobody listens on: a dial there is refused at once.
    const gone = await tcpEchoOrigin();
    closedPort = gone.port;
    await gone.close();
    proxy = await startTestProxy(options({}));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    proxy.setPolicy(options({}));
    await until(() => proxy.handle.stats().tunnels === 0, 3000, 'every tunnel slot back');
  });
  after(async () => {
    await proxy.close();
    await tcp.close();
    await ws.close();
  });

  it('refuses a client over its tunnel cap with 429, one record and a close; its tunnels keep relaying', async () => {
    const a = await held('127.0.0.2');
    const b = await held('127.0.0.2');
    const before = refusals().length;
    const over = await tunnel('127.0.0.2');
    await assertOverCap(over, /too many open tunnels from this client/);
    const rec = await proxy.waitForRecord((r) => r.reason === 'limit_exceeded' && r.client === '127.0.0.2');
    assert.equal(refusals().length, before + 1, 'one record for the refused CONNECT');
    assert.deepEqual([rec.method, rec.host, rec.status, rec.decision], ['CONNECT', 'echo.test', 429, 'deny']);
    assert.equal(await echo(a, 'still-a'), 'still-a');
    assert.equal(await echo(b, 'still-b'), 'still-b');
    // Another client still has room under the total cap.
    await held('127.0.0.3');
  });

  it('refuses any client once the total is reached, and admits again when a tunnel closes', async () => {
    const first = await held('127.0.0.2');
    await held('127.0.0.3');
    await held('127.0.0.4');
    const over = await tunnel('127.0.0.5');
    await assertOverCap(over, /too many open tunnels;/);
    first.destroy();
    await until(() => proxy.handle.stats().tunnels === 2, 3000, 'the closed tunnel to give its slot back');
    await held('127.0.0.5');
  });

  it('decides before counting: a denied CONNECT over the cap is still a 403', async () => {
    await held('127.0.0.2');
    await held('127.0.0.2');
    const r = await send(proxy.port, connectRequest('evil.test:443'), '127.0.0.2');
    assert.equal(r.status, 403);
    assert.equal(r.headers['x-cordon-reason'], 'not_allowlisted');
    r.socket.destroy();
  });

  it('counts WebSocket relays as tunnels', async () => {
    const url = `http://ws.test:${ws.port}/chat`;
    const w = await send(proxy.port, upgradeRequest(url), '127.0.0.2');
    assert.equal(w.status, 101);
    open.push(w.socket);
    await held('127.0.0.2');
    await assertOverCap(await send(proxy.port, upgradeRequest(url), '127.0.0.2'), /from this client/);
    await assertOverCap(await tunnel('127.0.0.2'), /from this client/);
    assert.equal(await echo(w.socket, 'frame'), 'frame');
    const rec = await proxy.waitForRecord((r) => r.reason === 'limit_exceeded' && r.path === '/chat');
    assert.equal(rec.status, 429);
  });

  it('gives the slot back when the dial fails', async () => {
    for (let i = 0; i < CAPS.maxTunnels + 2; i++) {
      const r = await send(proxy.port, connectRequest(`closed.test:${closedPort}`), '127.0.0.2');
      assert.equal(r.status, 502, `attempt ${i}`);
      await r.closed;
    }
    assert.equal(proxy.handle.stats().tunnels, 0);
  });

  it('reads the caps of the runtime in force: a reload changes them for new tunnels only', async () => {
    const a = await held('127.0.0.2');
    const b = await held('127.0.0.2');
    proxy.setPolicy(options({ maxTunnelsPerClient: 1 }));
    await assertOverCap(await tunnel('127.0.0.2'), /from this client/);
    assert.equal(await echo(a, 'a-after-reload'), 'a-after-reload');
    assert.equal(await echo(b, 'b-after-reload'), 'b-after-reload');
    proxy.setPolicy(options({ maxTunnels: 10, maxTunnelsPerClient: 5 }));
    await held('127.0.0.2');
  });
}

for (const engine of PROXY_ENGINES) describe(`tunnel caps (${engine} engine)`, () => tunnelCaps(engine));
