/**
 * @module bench/load/raw
 * Socket-level client operations for the load generators (run in their own processes): a CONNECT
 * through the proxy read up to its `200`, a TLS handshake with no session resumption, a tiny GET,
 * and the stdin/stdout line protocol the harness drives them with. Loopback only.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface Endpoint {
  host: string;
  port: number;
}

/** Where a load generator sends its traffic; `proxyPort` undefined means straight to the origin. */
export interface LoadTarget {
  proxyPort?: number | undefined;
  /** The origin's name (sent in CONNECT, SNI and Host) and its TLS port. */
  originHost: string;
  originPort: number;
  caFile: string;
}

const OP_TIMEOUT_MS = 10_000;

function withTimeout<T>(socket: Socket, run: (done: (v: T) => void, fail: (e: Error) => void) => void) {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('operation timed out')), OP_TIMEOUT_MS);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const onClose = (): void => fail(new Error('closed early'));
    socket.once('error', fail);
    socket.once('close', onClose);
    run((v) => {
      clearTimeout(timer);
      socket.removeListener('close', onClose);
      resolve(v);
    }, fail);
  });
}

/** TCP connect to the origin and nothing else (the direct baseline of CONNECT-only). */
export function tcpOnly(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  return withTimeout<Socket>(socket, (done) => socket.once('connect', () => done(socket)));
}

/** Open a CONNECT tunnel and resolve with the socket once the proxy's `200` header is read. */
export function openTunnel(t: LoadTarget): Promise<Socket> {
  const socket = connect(t.proxyPort ?? 0, '127.0.0.1');
  const authority = `${t.originHost}:${t.originPort}`;
  socket.setNoDelay(true);
  return withTimeout<Socket>(socket, (done, fail) => {
    socket.once('connect', () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.removeListener('data', onData);
      socket.pause();
      if (!/^HTTP\/1\.[01] 200/.test(head)) fail(new Error(`CONNECT answered ${head.split('\r\n')[0]}`));
      else done(socket);
    };
    socket.on('data', onData);
  });
}

const caCache = new Map<string, Buffer>();

/** TLS handshake over `socket` (a tunnel) or straight to the origin; a full handshake every time. */
export function handshake(t: LoadTarget, socket?: Socket): Promise<TLSSocket> {
  const ca = caCache.get(t.caFile) ?? readFileSync(t.caFile);
  caCache.set(t.caFile, ca);
  const s = socket
    ? tlsConnect({ socket, servername: t.originHost, ca })
    : tlsConnect({ host: '127.0.0.1', port: t.originPort, servername: t.originHost, ca });
  return withTimeout<TLSSocket>(s, (done) => s.once('secureConnect', () => done(s)));
}

/** `GET /small` with `Connection: close`; resolves when the origin has answered 200 and closed. */
export function tinyGet(s: TLSSocket, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let head = '';
    const timer = setTimeout(() => s.destroy(new Error('GET timed out')), OP_TIMEOUT_MS);
    s.on('data', (c: Buffer) => {
      if (head.length < 64) head += c.toString('latin1');
    });
    s.once('error', (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    s.once('end', () => {
      clearTimeout(timer);
      s.destroy();
      if (head.startsWith('HTTP/1.1 200')) resolve();
      else reject(new Error(`GET answered ${head.split('\r\n')[0] ?? '(nothing)'}`));
    });
    s.write(`GET /small HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}

/** Lines from the harness on stdin, one at a time; null once stdin has ended. */
export function stdinLines(): () => Promise<string | null> {
  const rl = createInterface({ input: process.stdin });
  const queue: (string | null)[] = [];
  let waiter: ((l: string | null) => void) | null = null;
  const deliver = (l: string | null): void => {
    if (waiter) {
      const w = waiter;
      waiter = null;
      w(l);
    } else queue.push(l);
  };
  rl.on('line', deliver);
  rl.on('close', () => deliver(null));
  return () =>
    new Promise<string | null>((resolve) => {
      if (queue.length > 0) resolve(queue.shift() ?? null);
      else waiter = resolve;
    });
}

export function emit(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
