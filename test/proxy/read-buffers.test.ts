/**
 * Reused read buffers (src/proxy/read-buffer.ts) under backpressure, through the real proxy for both
 * engines, as plain-HTTP requests and in CONNECT tunnels: several downloads at once, each a distinct
 * body that the origin trickles in 1 KiB writes (so the proxy reads small pieces into the shared
 * buffer) while its client does not read. The proxy's writes to the client then wait in its socket,
 * pointing at whatever they were given: a write left pointing into the shared buffer is overwritten
 * by later reads and the client gets other bytes. Each client starts reading once its origin itself
 * is held back (the proxy stopped reading it), and checks the SHA-256 of what it got. (The other
 * case, a connection's own buffer under a write still pending below the high-water mark, depends on
 * how much the kernel takes of one write, and is not forced here.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once, EventEmitter } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';

const BODY_BYTES = 24 * 1024 * 1024;
const PIECE = 1024;
const DOWNLOADS = 3;

/** Piece `i` of body `seed`: every 8 bytes name the body, the piece and the offset, so no misplaced piece matches. */
function piece(seed: number, i: number): Buffer {
  const out = Buffer.allocUnsafe(PIECE);
  for (let o = 0; o < PIECE; o += 8) {
    out.writeUInt32LE(seed, o);
    out.writeUInt32LE(i * PIECE + o, o + 4);
  }
  return out;
}

function expectedDigest(seed: number): string {
  const h = createHash('sha256');
  for (let i = 0; i < BODY_BYTES / PIECE; i++) h.update(piece(seed, i));
  return h.digest('hex');
}

/** An origin that trickles `/body/<seed>` and says when the proxy stops reading it. */
function startTrickleOrigin(): Promise<{ server: Server; port: number; heldBack: EventEmitter }> {
  const heldBack = new EventEmitter();
  const server = createServer((socket) => {
    socket.once('data', (head: Buffer) => {
      const seed = Number(/\/body\/(\d+)/.exec(head.toString('latin1'))?.[1]);
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY_BYTES}\r\n\r\n`);
      let i = 0;
      const more = (): void => {
        while (i < BODY_BYTES / PIECE) {
          if (!socket.write(piece(seed, i++))) {
            heldBack.emit(String(seed));
            return void socket.once('drain', more);
          }
          // One piece per turn of the loop, so the proxy reads small pieces.
          if (i % 4 !== 0) return void setImmediate(more);
        }
        socket.end();
      };
      more();
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, heldBack }),
    );
  });
}

type Via = 'http' | 'connect';

/**
 * GET `/body/<seed>` through the proxy, as a plain-HTTP request or in a CONNECT tunnel, without
 * reading until `startReading` settles; the body's digest.
 */
async function download(
  proxyPort: number,
  originPort: number,
  via: Via,
  seed: number,
  startReading: Promise<unknown>,
): Promise<string> {
  const socket: Socket = connect(proxyPort, '127.0.0.1');
  socket.pause();
  await once(socket, 'connect');
  const authority = `origin.test:${originPort}`;
  const get = (target: string): string =>
    `GET ${target} HTTP/1.1\r\nHost: origin.test\r\nConnection: close\r\n\r\n`;
  socket.write(
    via === 'http'
      ? get(`http://${authority}/body/${seed}`)
      : `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n${get(`/body/${seed}`)}`,
  );
  await startReading;
  // The tunnel's own 200 comes before the origin's.
  let heads = via === 'http' ? 1 : 2;
  const hash = createHash('sha256');
  let head = Buffer.alloc(0);
  let inBody = false;
  let got = 0;
  socket.on('data', (chunk: Buffer) => {
    while (!inBody) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      assert.match(head.subarray(0, end).toString('latin1'), /^HTTP\/1\.1 200 /);
      chunk = head.subarray(end + 4);
      head = Buffer.alloc(0);
      inBody = --heads === 0;
    }
    hash.update(chunk);
    got += chunk.length;
  });
  socket.resume();
  await once(socket, 'end');
  assert.equal(got, BODY_BYTES);
  return hash.digest('hex');
}

function engineSuite(engine: ProxyEngine): void {
  let origin: Awaited<ReturnType<typeof startTrickleOrigin>>;
  let proxy: TestProxy;
  const seeds = Array.from({ length: DOWNLOADS }, (_, i) => i + 1);
  let expected: string[] = [];

  before(async () => {
    origin = await startTrickleOrigin();
    proxy = await startTestProxy({
      engine,
      http: ['origin.test'],
      httpPorts: [origin.port],
      https: ['origin.test'],
      httpsPorts: [origin.port],
      hosts: { 'origin.test': '127.0.0.1' },
      // The tunnel carries plain HTTP here: the bytes, not TLS, are under test.
      settings: { tls: { requireTls: false, requireSni: false } },
    });
    expected = seeds.map(expectedDigest);
  });
  after(async () => {
    await proxy.close();
    origin.server.close();
  });

  for (const via of ['http', 'connect'] as const) {
    it(
      `delivers concurrent trickled downloads intact to clients that read late (${via})`,
      { timeout: 60_000 },
      async () => {
        const got = await Promise.all(
          seeds.map((seed) =>
            download(proxy.port, origin.port, via, seed, once(origin.heldBack, String(seed))),
          ),
        );
        assert.deepEqual(got, expected);
      },
    );
  }
}

for (const engine of PROXY_ENGINES)
  describe(`read buffers under backpressure (${engine})`, () => engineSuite(engine));
