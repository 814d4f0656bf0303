/**
 * @module proxy/fast/flush-later
 * Request heads for upstreams go out at the end of the event loop's I/O phase rather than one by
 * one as they are parsed: the socket is corked now and uncorked by one `setImmediate` for all of
 * them. Every request read in one turn of the loop then reaches its upstreams together, after the
 * proxy has done the rest of that turn's work, instead of waking an upstream (and, on a shared
 * core, yielding to it) once per request. A write costs the same one system call either way.
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

/** Write `head` to `socket` at the end of this turn of the event loop (in order with later writes). */
export function writeLater(socket: Socket, head: string): void {
  socket.cork();
  socket.write(head, 'latin1');
  queue.push(socket);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
