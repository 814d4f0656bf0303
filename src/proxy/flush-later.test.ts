/**
 * `writeLater`: heads written in one turn of the event loop stay in their sockets until the turn's
 * I/O phase is over, then all go out, each in order before what is written after it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { writeLater } from './flush-later.js';

describe('writeLater', () => {
  const received: string[] = [];
  const server = createServer((s) => {
    let text = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (text += d));
    s.on('end', () => {
      received.push(text);
      s.end();
    });
  });
  after(() => server.close());

  it('holds heads until the end of the turn, then sends each before later writes', async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const sockets: Socket[] = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    await Promise.all(sockets.map((s) => once(s, 'connect')));
    sockets.forEach((s, i) => writeLater(s, `head-${i};`));
    // Still corked: held in the stream, not handed to the kernel yet.
    for (const [i, s] of sockets.entries()) assert.equal(s.writableLength, `head-${i};`.length);
    await new Promise((r) => setImmediate(r));
    for (const s of sockets) {
      assert.equal(s.writableLength, 0);
      s.end('body');
    }
    await Promise.all(sockets.map((s) => once(s, 'close')));
    assert.deepEqual(received.sort(), ['head-0;body', 'head-1;body']);
  });
});
