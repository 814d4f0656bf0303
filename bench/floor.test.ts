/**
 * The Node floor (bench/floor-proxy.mjs) relays what the benchmark sends it: keep-alive requests in
 * absolute form rewritten to origin form, bodies framed by Content-Length and passed on whole and in
 * order, and CONNECT tunnels both ways. Real processes and sockets on loopback.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { startFloor } from './floor.js';
import { createProcSet } from './procs.js';
import type { ProxyUnderTest } from './types.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIG = Buffer.alloc(3 * 1024 * 1024 + 17);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7 + (i >> 11)) & 0xff;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Read from `socket` until `done(bytes)` says the answer is whole, or fail after a deadline. */
function readUntil(socket: Socket, done: (b: Buffer) => boolean): Promise<Buffer> {
  return new Promise((res, rej) => {
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => rej(new Error(`timed out with ${got.length} bytes`)), 10_000);
    const onData = (d: Buffer): void => {
      got = Buffer.concat([got, d]);
      if (!done(got)) return;
      clearTimeout(timer);
      socket.off('data', onData);
      res(got);
    };
    socket.on('data', onData);
  });
}

/** Whole when the head is there and its Content-Length of body bytes follow it. */
function responses(count: number): (b: Buffer) => boolean {
  return (b) => {
    let at = 0;
    for (let i = 0; i < count; i++) {
      const end = b.indexOf('\r\n\r\n', at);
      if (end < 0) return false;
      const len = Number(/content-length: (\d+)/i.exec(b.subarray(at, end).toString('latin1'))?.[1] ?? 0);
      at = end + 4 + len;
      if (b.length < at) return false;
    }
    return true;
  };
}

describe('the Node floor', () => {
  const procs = createProcSet();
  let origin: Server;
  let originPort: number;
  let floor: ProxyUnderTest;
  const seen: string[] = [];

  before(async () => {
    origin = createServer((req: IncomingMessage, res) => {
      seen.push(req.url ?? '');
      const body = req.url === '/big' ? BIG : Buffer.from(`you asked for ${req.url}`);
      res.writeHead(200, { 'content-length': String(body.length) });
      res.end(body);
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    originPort = (origin.address() as AddressInfo).port;
    floor = await startFloor({ procs, root, core: undefined });
  });
  after(async () => {
    await procs.stopAll();
    await new Promise((r) => origin.close(r));
  });

  it('relays keep-alive requests in origin form and whole bodies, in order', async () => {
    const s = connect(floor.port, '127.0.0.1');
    const host = `origin.test:${originPort}`;
    s.write(
      `GET http://${host}/a?x=1 HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
        `GET http://${host}/big HTTP/1.1\r\nHost: ${host}\r\n\r\n` +
        `GET http://${host}/c HTTP/1.1\r\nHost: ${host}\r\n\r\n`,
    );
    const got = await readUntil(s, responses(3));
    s.destroy();
    assert.deepEqual(seen.slice(-3), ['/a?x=1', '/big', '/c']);
    const text = got.toString('latin1');
    assert.ok(text.includes('you asked for /a?x=1'));
    assert.ok(text.endsWith('you asked for /c'));
    const bigAt = got.indexOf('\r\n\r\n', got.indexOf('you asked for /a?x=1')) + 4;
    assert.equal(sha(got.subarray(bigAt, bigAt + BIG.length)), sha(BIG));
  });

  it('answers a CONNECT with 200 and relays both ways', async () => {
    const s = connect(floor.port, '127.0.0.1');
    s.write(`CONNECT origin.test:${originPort} HTTP/1.1\r\nHost: origin.test:${originPort}\r\n\r\n`);
    const head = await readUntil(s, (b) => b.includes('\r\n\r\n'));
    assert.match(head.toString('latin1'), /^HTTP\/1\.1 200 /);
    s.write(`GET /big HTTP/1.1\r\nHost: origin.test\r\nConnection: close\r\n\r\n`);
    const got = await readUntil(s, responses(1));
    s.destroy();
    const at = got.indexOf('\r\n\r\n') + 4;
    assert.equal(sha(got.subarray(at)), sha(BIG));
  });
});
