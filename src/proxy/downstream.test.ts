/**
 * The tunnel's download half on real loopback sockets: every byte arrives in order through a client
 * that stalls (backpressure pauses and resumes the upstream), bytes the upstream sends before the
 * relay starts are delivered first, and an upstream that hung up before the relay still ends the
 * client and the relay. The shared read buffer under backpressure is tested through the proxy in
 * test/proxy/read-buffers.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { createDownstream, type Downstream } from './downstream.js';
import { relay } from './tunnel.js';

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

async function listen(onSocket: (s: Socket) => void): Promise<number> {
  const server = createServer(onSocket);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** 8 MiB in which every 4-byte word is its own offset, so a reordered or reused buffer shows. */
function pattern(): Buffer {
  const b = Buffer.alloc(8 * 1024 * 1024);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(i, i);
  return b;
}

/** A proxy-like pair: the accepted client socket and an upstream dialled with the downstream's onread. */
async function tunnel(originPort: number, start: (client: Socket, upstream: Socket, d: Downstream) => void) {
  const proxyPort = await listen((client) => {
    const d = createDownstream();
    const upstream = connect({ host: '127.0.0.1', port: originPort, onread: d.onread });
    upstream.once('connect', () => start(client, upstream, d));
  });
  return connect(proxyPort, '127.0.0.1');
}

describe('tunnel download half (onread)', () => {
  it('delivers every byte in order to a client that reads slowly', async () => {
    const body = pattern();
    const originPort = await listen((s) => s.end(body));
    let relayed: Promise<void> | undefined;
    const client = await tunnel(originPort, (c, u, d) => {
      relayed = relay(c, u, 30_000, d);
    });
    const hash = createHash('sha256');
    let got = 0;
    client.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      got += chunk.length;
      // Stall now and then so the proxy's writes back up and its buffers are swapped under them.
      if (got % 7 === 0 || chunk.length > 32 * 1024) {
        client.pause();
        setImmediate(() => client.resume());
      }
    });
    await once(client, 'end');
    assert.equal(got, body.length);
    assert.equal(hash.digest('hex'), createHash('sha256').update(body).digest('hex'));
    client.destroy();
    await relayed;
  });

  it('delivers what the upstream sent before the relay started, then its end', async () => {
    let originDone!: () => void;
    const originFinished = new Promise<void>((r) => (originDone = r));
    const originPort = await listen((s) => {
      s.end('hello from a server that speaks first\n');
      s.once('finish', originDone);
    });
    const client = await tunnel(originPort, (c, u, d) => {
      void originFinished.then(() => relay(c, u, 30_000, d));
    });
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    await once(client, 'end');
    assert.equal(Buffer.concat(chunks).toString(), 'hello from a server that speaks first\n');
    client.destroy();
  });

  it('ends the client and the relay when the upstream hung up before the relay began', async () => {
    const originPort = await listen((s) => s.end());
    let relayed: Promise<void> | undefined;
    const client = await tunnel(originPort, (c, u, d) => {
      // Start the relay only after the upstream is fully closed: it gets no 'close' event now.
      u.once('close', () => {
        relayed = relay(c, u, 30_000, d);
      });
      u.resume();
    });
    client.resume();
    await once(client, 'end');
    client.destroy();
    await relayed;
  });
});
