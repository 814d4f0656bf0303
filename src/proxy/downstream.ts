/**
 * @module proxy/downstream
 * The download half of a tunnel: reads the upstream socket into reused buffers (`net.connect`'s
 * `onread`) rather than a fresh 64 KiB buffer per read as a stream does, and writes what it reads
 * to the client. An idle or slow tunnel owns no buffer: its reads land in one buffer the process
 * shares and are copied out (they are small). A tunnel whose read is large gets a buffer of its
 * own and writes straight from it, and takes a new one whenever the client has not yet taken a
 * write, since that write still points into the old one. Before `attach`, bytes are kept (copied)
 * and reading pauses. Backpressure: reading pauses until the client drains.
 */
import type { OnReadOpts, Socket } from 'node:net';

const BUFFER_BYTES = 64 * 1024;
/** A read at least this big marks a busy flow, worth a buffer of its own. */
const BUSY_BYTES = 16 * 1024;

let sharedBuffer: Buffer | undefined;
/** Reads of tunnels without a buffer of their own land here; always copied out before return. */
function shared(): Buffer {
  sharedBuffer ??= Buffer.allocUnsafeSlow(BUFFER_BYTES);
  return sharedBuffer;
}

export interface Downstream {
  /** For `net.connect({ onread })`: reads from the moment the socket connects. */
  readonly onread: OnReadOpts;
  /** Relay to `client` from now on: write what came early, then read on. */
  attach(client: Socket, upstream: Socket): void;
}

export function createDownstream(): Downstream {
  let own: Buffer | null = null;
  let next: Buffer = shared();
  let client: Socket | null = null;
  let upstream: Socket | null = null;
  const early: Buffer[] = [];
  const resume = (): void => {
    upstream?.resume();
  };

  const callback = (n: number, buf: Uint8Array): boolean => {
    const fromOwn = own !== null && buf === own;
    const bytes = buf.subarray(0, n);
    const to = client;
    if (to === null || upstream === null) {
      // Not relaying yet (the ClientHello is still being checked): keep a copy and wait.
      early.push(Buffer.from(bytes));
      return false;
    }
    if (to.destroyed) return false;
    const ok = to.write(fromOwn ? bytes : Buffer.from(bytes));
    if (fromOwn) {
      // A write the kernel did not take whole still points into `own`: the next read needs another.
      if (to.writableLength > 0 || n < BUSY_BYTES)
        own = n >= BUSY_BYTES ? Buffer.allocUnsafeSlow(BUFFER_BYTES) : null;
    } else if (n >= BUSY_BYTES) {
      own = Buffer.allocUnsafeSlow(BUFFER_BYTES);
    }
    next = own ?? shared();
    if (!ok) {
      upstream.pause();
      to.once('drain', resume);
      return false;
    }
    return true;
  };

  return {
    onread: { buffer: () => next, callback },
    attach(c, u) {
      client = c;
      upstream = u;
      for (const chunk of early.splice(0)) c.write(chunk);
      u.resume();
    },
  };
}
