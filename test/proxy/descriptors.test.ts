/**
 * Running out of file descriptors, both engines: the whole gateway runs as a child process with a
 * low descriptor limit (set once it listens), and idle keep-alive connections fill its descriptor
 * table until the kernel has none left for it. Then new connections are closed cleanly (libuv
 * accepts and closes them), a request or CONNECT that needs an upstream dial gets 503
 * `resource_exhausted` with Retry-After (one record each, one rate-limited warning in all), a reload
 * that cannot open its files is refused, and the process lives on; once the connections close,
 * normal requests and tunnels succeed again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { failureFor } from '../../src/proxy/errors.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';
import { PROXY_ENGINES, type ProxyEngine } from '../support/proxy.js';
import { startGatewayChild, type GatewayChild } from './gateway-child.js';
import { connectRequest, send, type Reply } from './tunnel-clients.js';

/** The gateway needs about 40 descriptors of its own; the rest go to the connections that fill it. */
const NOFILE = 96;
const MAX_FILL = NOFILE * 2;
const RECOVERY_MS = 5000;
const OUT_OF_DESCRIPTORS = 'out of file descriptors: refusing new work until some close';

const keepAliveDenied = 'GET http://denied.test/ HTTP/1.1\r\nHost: denied.test\r\n\r\n';

function configFor(engine: ProxyEngine, dir: string, origin: Origin): string {
  return `listen: 127.0.0.1:0
engine: ${engine}
clients: [127.0.0.0/8]
http: { ports: [${origin.port}], allow: [origin.test] }
dns: { hosts: { origin.test: 127.0.0.1 }, allowPrivate: [127.0.0.0/8] }
log: { json: '-', access: ${join(dir, 'access.log')} }
timeouts: { drainMs: 1000 }
admin: { listen: 127.0.0.1:0 }
storage: { dir: ${join(dir, 'data')} }
`;
}

/**
 * Open idle keep-alive connections (each proven accepted by its 403) until one is closed with no
 * answer: the proxy had no descriptor left to accept it. Returns how many were refused that way.
 */
async function fill(port: number, held: Socket[]): Promise<void> {
  for (let i = 0; i < MAX_FILL; i++) {
    const r = await send(port, keepAliveDenied).catch(() => null);
    if (r === null) return;
    assert.equal(r.status, 403, 'an accepted connection is answered');
    held.push(r.socket);
  }
  assert.fail(`${MAX_FILL} connections did not exhaust ${NOFILE} descriptors`);
}

/** On an already-accepted connection, a request that needs an upstream descriptor. */
async function needsDial(held: Socket[], port: number, request: string): Promise<Reply> {
  await fill(port, held);
  const s = held.pop();
  assert.ok(s !== undefined);
  return new Promise((resolve, reject) => {
    let text = '';
    s.on('data', (c: Buffer) => (text += c.toString('latin1')));
    s.once('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const h = (name: string): string => new RegExp(`^${name}: (.*)$`, 'mi').exec(text)?.[1]?.trim() ?? '';
      if (status === 0) reject(new Error(`no answer: ${JSON.stringify(text)}`));
      const headers = { 'x-cordon-reason': h('X-Cordon-Reason'), 'retry-after': h('Retry-After') };
      resolve({ status, headers, socket: s, closed: Promise.resolve(text) });
    });
    s.write(request);
  });
}

async function recovered(port: number, originPort: number): Promise<void> {
  const deadline = Date.now() + RECOVERY_MS;
  for (;;) {
    const r = await send(
      port,
      `GET http://origin.test:${originPort}/after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    ).catch(() => null);
    if (r !== null) {
      assert.equal(r.status, 200, 'a normal request once descriptors are free');
      await r.closed;
      break;
    }
    assert.ok(
      Date.now() < deadline,
      `no normal request served within ${RECOVERY_MS} ms of freeing descriptors`,
    );
  }
  const t = await send(port, connectRequest(`origin.test:${originPort}`));
  assert.equal(t.status, 200, 'a tunnel once descriptors are free');
  t.socket.write('GET /in-tunnel HTTP/1.1\r\nHost: origin.test\r\nConnection: close\r\n\r\n');
  assert.match(await t.closed, /HTTP\/1\.1 200 /);
}

async function exhaust(engine: ProxyEngine): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-fd-'));
  const origin = await createHttpOrigin();
  const held: Socket[] = [];
  let gw: GatewayChild | undefined;
  try {
    gw = await startGatewayChild(dir, configFor(engine, dir, origin), NOFILE);
    await gw.logged('admin listening');
    const url = `http://origin.test:${origin.port}/`;

    const get = await needsDial(held, gw.port, `GET ${url} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.deepEqual([get.status, get.headers['x-cordon-reason']], [503, 'resource_exhausted']);
    assert.match(get.headers['retry-after'] ?? '', /^\d+$/);
    const tunnel = await needsDial(held, gw.port, connectRequest(`origin.test:${origin.port}`));
    assert.deepEqual([tunnel.status, tunnel.headers['x-cordon-reason']], [503, 'resource_exhausted']);

    await fill(gw.port, held);
    const fresh = await send(gw.port, keepAliveDenied).catch((e: Error) => e);
    assert.ok(fresh instanceof Error, 'a new connection is closed cleanly while no descriptor is free');
    gw.child.kill('SIGHUP');
    await gw.logged('policy reload failed');
    assert.ok(gw.alive(), 'the gateway survives running out of descriptors');

    for (const s of held.splice(0)) s.destroy();
    await recovered(gw.port, origin.port);
    assert.ok(gw.alive());

    gw.child.kill('SIGTERM');
    assert.equal(await gw.exited, 0, 'a clean stop after it all');
    const exhausted = gw.records.filter((r) => r.reason === 'resource_exhausted');
    assert.deepEqual(exhausted.map((r) => [r.method, r.status]).sort(), [
      ['CONNECT', 503],
      ['GET', 503],
    ]);
    const warnings = gw.logs.filter((l) => l.msg === OUT_OF_DESCRIPTORS);
    assert.equal(warnings.length, 1, 'the warning is rate-limited');
  } finally {
    for (const s of held) s.destroy();
    if (gw?.alive() === true) gw.child.kill('SIGKILL');
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('out of file descriptors', () => {
  it('maps EMFILE and ENFILE to 503 resource_exhausted with Retry-After', () => {
    for (const code of ['EMFILE', 'ENFILE', 'CORDON_PROXY_NO_DESCRIPTORS']) {
      const f = failureFor(Object.assign(new Error(code), { code }));
      assert.deepEqual([f.status, f.reason, f.retryAfter], [503, 'resource_exhausted', 1], code);
    }
  });
  for (const engine of PROXY_ENGINES) {
    it(`${engine} engine: refuses new work cleanly, never crashes, and serves again once descriptors free up`, () =>
      exhaust(engine));
  }
});
