/**
 * @module proxy/flush-later
 * The first bytes for an upstream (a request head, a tunnel's checked ClientHello) go out at the end
 * of the event loop's I/O phase rather than one by one as they are ready: the socket is corked now
 * and uncorked by one `setImmediate` for all of them. Everything read in one turn of the loop then
 * reaches its upstreams together, after the proxy has done the rest of that turn's work, instead of
 * waking an upstream (and, on a shared core, yielding to it) once per request. A write costs the
 * same one system call either way.
 */
import type { Socket } from 'node:net';

let queue: Socket[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  const sockets = queue;
  queue = [];
  for (const s of sockets) s.uncork();
}

/** Write `bytes` to `socket` at the end of this turn of the event loop (in order with later writes). */
export function writeLater(socket: Socket, bytes: string | Buffer): void {
  socket.cork();
  if (typeof bytes === 'string') socket.write(bytes, 'latin1');
  else socket.write(bytes);
  queue.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
