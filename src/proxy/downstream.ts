/**
 * @module proxy/downstream
 * The download half of a tunnel: reads the upstream socket through a `ReadBuffer` (reused buffers,
 * `net.connect`'s `onread`) and writes what it reads to the client. Bytes in the shared buffer are
 * copied before the write; bytes in the tunnel's own buffer are written as they are. Before
 * `attach`, bytes are kept (copied) and reading pauses. Backpressure: reading pauses until the
 * client drains.
 */
import type { OnReadOpts, Socket } from 'node:net';
import { ReadBuffer, readResult } from './read-buffer.js';

export interface Downstream {
  /** For `net.connect({ onread })`: reads from the moment the socket connects. */
  readonly onread: OnReadOpts;
  /** Relay to `client` from now on: write what came early, then read on. */
  attach(client: Socket, upstream: Socket): void;
}

const PAUSED = readResult(false, true);

export function createDownstream(): Downstream {
  let client: Socket | null = null;
  let upstream: Socket | null = null;
  const early: Buffer[] = [];
  const resume = (): void => {
    upstream?.resume();
  };
  const onread = new ReadBuffer().onread((bytes, owned) => {
    const to = client;
    if (to === null || upstream === null) {
      // Not relaying yet (the ClientHello is still being checked): keep a copy and wait.
      early.push(Buffer.from(bytes));
      return PAUSED;
    }
    if (to.destroyed) return PAUSED;
    const ok = to.write(owned ? bytes : Buffer.from(bytes));
    // A write the kernel did not take whole still points into the buffer.
    const held = to.writableLength > 0;
    if (ok) return readResult(held, false);
    upstream.pause();
    to.once('drain', resume);
    return readResult(held, true);
  });

  return {
    onread,
    attach(c, u) {
      client = c;
      upstream = u;
      for (const chunk of early.splice(0)) c.write(chunk);
      u.resume();
    },
  };
}
