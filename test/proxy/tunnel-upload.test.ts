/**
 * The upload half of a tunnel under backpressure, through the real proxy for both engines: the
 * client writes far more than every socket buffer on the way can hold to an origin that does not
 * read yet. The proxy must stop reading the client (so the client's writes stop draining) instead of
 * holding the bytes itself, and once the origin reads, every byte must arrive in order. The tunnel
 * is a CONNECT to an http port, so its payload is not held to TLS.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openTunnel } from '../support/clients.js';
import { PROXY_ENGINES, startTestProxy, type ProxyEngine, type TestProxy } from '../support/proxy.js';

const CHUNK = 64 * 1024;
/** No drain for this long means the writes are held back (a slow machine only makes this pass wrongly). */
const STALL_MS = 300;

/** The most the kernel can hold for one connection in both directions' buffers, per socket pair. */
function socketBufferBound(): number {
  const max = (file: string): number => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
  return max('/proc/sys/net/ipv4/tcp_rmem') + max('/proc/sys/net/ipv4/tcp_wmem');
}

function chunk(i: number): Buffer {
  const out = Buffer.allocUnsafe(CHUNK);
  for (let o = 0; o < CHUNK; o += 4) out.writeUInt32LE(i * CHUNK + o, o);
  return out;
}

/** An origin that reads nothing until `release()`, then hashes everything it gets. */
function startHeldOrigin(): Promise<{
  server: Server;
  port: number;
  release(): void;
  digest: Promise<{ bytes: number; sha: string }>;
  close(): void;
}> {
  const sockets = new Set<Socket>();
  let release = (): void => undefined;
  let resolveDigest: (d: { bytes: number; sha: string }) => void = () => undefined;
  const digest = new Promise<{ bytes: number; sha: string }>((r) => (resolveDigest = r));
  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const h = createHash('sha256');
    let bytes = 0;
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      h.update(d);
    });
    socket.on('end', () => {
      resolveDigest({ bytes, sha: h.digest('hex') });
      socket.end();
    });
    socket.on('error', () => undefined);
    release = () => void socket.resume();
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        release: () => release(),
        digest,
        close() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }),
    );
  });
}

function uploads(engine: ProxyEngine): void {
  let proxy: TestProxy;
  let origin: Awaited<ReturnType<typeof startHeldOrigin>>;

  before(async () => {
    origin = await startHeldOrigin();
    proxy = await startTestProxy({
      engine,
      http: ['upload.test'],
      httpPorts: [origin.port],
      hosts: { 'upload.test': '127.0.0.1' },
      allowPrivate: ['127.0.0.1/32'],
    });
  });
  after(async () => {
    // Connections left open by a failed assertion would keep the test process alive.
    origin.close();
    await proxy.close();
  });

  it('stops reading the client while the origin does not read, then delivers every byte', async (t) => {
    // Client, proxy (both sockets) and origin buffers, twice over, and then some.
    const bound = 2 * 2 * socketBufferBound() + 8 * 1024 * 1024;
    const total = Math.ceil((bound + 32 * 1024 * 1024) / CHUNK);
    const { status, socket } = await openTunnel(proxy.port, `upload.test:${origin.port}`);
    t.after(() => socket.destroy());
    assert.equal(status, 200);
    const expected = createHash('sha256');
    let i = 0;
    let drained = 0;
    /** Write the remaining chunks, then end; with `stallMs`, stop early when a drain takes longer. */
    const writeOn = (stallMs?: number): Promise<'stalled' | 'done'> =>
      new Promise((resolve, reject) => {
        socket.once('error', reject);
        const more = (): void => {
          while (i < total) {
            const c = chunk(i++);
            expected.update(c);
            if (socket.write(c)) continue;
            const onDrain = (): void => {
              clearTimeout(timer);
              drained = (i - 1) * CHUNK;
              more();
            };
            const timer =
              stallMs === undefined
                ? undefined
                : setTimeout(() => {
                    socket.removeListener('drain', onDrain);
                    resolve('stalled');
                  }, stallMs);
            return void socket.once('drain', onDrain);
          }
          socket.end();
          resolve('done');
        };
        more();
      });
    assert.equal(
      await writeOn(STALL_MS),
      'stalled',
      `the client wrote ${total * CHUNK} bytes without being held back`,
    );
    assert.ok(drained < bound, `${drained} bytes left the client before it was held back`);
    origin.release();
    // The write left pending when the client stalled drains first, then the rest goes out.
    await new Promise((resolve) => socket.once('drain', resolve));
    assert.equal(await writeOn(), 'done');
    const got = await origin.digest;
    assert.equal(got.bytes, total * CHUNK);
    assert.equal(got.sha, expected.digest('hex'));
  });
}

for (const engine of PROXY_ENGINES)
  describe(`tunnel uploads under backpressure (${engine})`, () => uploads(engine));
