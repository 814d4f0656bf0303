/**
 * @module test/proxy/fast-support
 * A scripted upstream for framing tests: a raw TCP server that reads request heads (and
 * Content-Length bodies) and answers each with the exact bytes a script returns, or drops the
 * connection. Loopback, port 0.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface RawRequest {
  head: string;
  body: Buffer;
  /** Index of the connection it came on (0-based) and of the request on that connection. */
  conn: number;
  seq: number;
}

/** What to send back: bytes, or null to destroy the connection without answering. */
export type Reply = string | Buffer | null;

export interface RawOrigin {
  readonly port: number;
  readonly requests: RawRequest[];
  connections: number;
  /** Resolves once connection number `conn` has closed (either side), or rejects at the deadline. */
  waitClosed(conn: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function contentLength(head: string): number {
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return m ? Number(m[1]) : 0;
}

/**
 * `eager(head)` true: answer as soon as that head is in, without reading its body (an early
 * response), and ignore whatever else comes on that connection.
 */
export async function startRawOrigin(
  script: (req: RawRequest) => Reply,
  eager: (head: string) => boolean = () => false,
): Promise<RawOrigin> {
  const sockets = new Set<Socket>();
  const closed = new Set<number>();
  const waiters = new Set<() => void>();
  const origin: RawOrigin = {
    port: 0,
    requests: [],
    connections: 0,
    waitClosed(conn, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!closed.has(conn)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`connection ${conn} still open after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => Promise.resolve(),
  };
  const server = createServer((socket) => {
    const conn = origin.connections++;
    let seq = 0;
    let buf = Buffer.alloc(0);
    let ignoring = false;
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      closed.add(conn);
      for (const w of [...waiters]) w();
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      if (ignoring) return;
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.subarray(0, end + 4).toString('latin1');
        if (eager(head)) {
          ignoring = true;
          origin.requests.push({ head, body: Buffer.alloc(0), conn, seq: seq++ });
          const reply = script({ head, body: Buffer.alloc(0), conn, seq });
          return void (reply === null ? socket.destroy() : socket.write(reply));
        }
        const len = contentLength(head);
        if (buf.length < end + 4 + len) return;
        const req = { head, body: buf.subarray(end + 4, end + 4 + len), conn, seq: seq++ };
        buf = buf.subarray(end + 4 + len);
        origin.requests.push(req);
        const reply = script(req);
        if (reply === null) return void socket.destroy();
        socket.write(reply);
        if (/\r\nconnection: close\r\n/i.test(reply.toString('latin1'))) return void socket.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return Object.assign(origin, {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  });
}

/** Split a raw HTTP/1.1 byte stream of responses into status lines and bodies, for assertions. */
export function statusLines(text: string): string[] {
  return [...text.matchAll(/HTTP\/1\.[01] \d{3}[^\r]*/g)].map((m) => m[0]);
}
