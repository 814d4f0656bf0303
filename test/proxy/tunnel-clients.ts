/**
 * @module test/proxy/tunnel-clients
 * Raw clients and origins for the tunnel-cap and descriptor tests: a request from a chosen loopback
 * source address whose reply head is parsed as soon as it is complete (the socket stays open for a
 * tunnel), a byte echo through an open tunnel, and the origins those tunnels reach (a TCP echo and
 * a WebSocket echo). Waits are on events with deadlines.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Reply {
  readonly status: number;
  /** Header names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly socket: Socket;
  /** Everything the proxy sent, once it closed the connection. */
  readonly closed: Promise<string>;
}

/** Send `request` from `source`; resolve once the reply head is complete (reject on a bare close). */
export function send(port: number, request: string, source = '127.0.0.1', timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: source });
    let text = '';
    let headDone = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no reply head within ${timeoutMs} ms; got ${JSON.stringify(text)}`));
    }, timeoutMs);
    const closed = new Promise<string>((res) => socket.on('close', () => res(text)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      if (!headDone) reject(new Error(`closed without a reply; got ${JSON.stringify(text)}`));
    });
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (headDone || end < 0) return;
      headDone = true;
      clearTimeout(timer);
      const lines = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      resolve({ status, headers, socket, closed });
    });
    socket.write(request);
  });
}

export const connectRequest = (authority: string): string =>
  `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`;

export const upgradeRequest = (url: string): string =>
  `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

/** Write `msg` through an open tunnel and resolve with what comes back (an echo origin sends it). */
export function echo(socket: Socket, msg: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const timer = setTimeout(() => {
      socket.removeListener('data', onData);
      reject(new Error(`no echo of ${msg} within ${timeoutMs} ms (got ${JSON.stringify(got)})`));
    }, timeoutMs);
    const onData = (c: Buffer): void => {
      got += c.toString('latin1');
      if (got.length < msg.length) return;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      resolve(got);
    };
    socket.on('data', onData);
    socket.write(msg);
  });
}

/** Resolve once `cond()` holds, polling on the event loop; reject after `ms`. */
export function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (cond()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

export interface EchoOrigin {
  readonly port: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:0; `close()` destroys every connection the origin holds, then closes. */
function started(server: Server): Promise<EchoOrigin> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

/** A TCP origin that echoes every byte (what a CONNECT to an http port reaches). */
export function tcpEchoOrigin(): Promise<EchoOrigin> {
  return started(createServer((s) => s.pipe(s)));
}

/** An HTTP origin that accepts WebSocket upgrades and echoes every byte after its 101. */
export function wsEchoOrigin(): Promise<EchoOrigin> {
  const server = createHttpServer((_req, res) => res.end('plain'));
  server.on('upgrade', (_req, socket: Socket) => {
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    socket.pipe(socket);
  });
  return started(server);
}
