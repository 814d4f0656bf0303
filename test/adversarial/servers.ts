/**
 * @module test/adversarial/servers
 * What the harness runs besides the proxies, inside the namespace: canary listeners on every
 * forbidden address (they count connections and must count none), and the origins that show what
 * reached them — an HTTP echo on :80, an HTTPS echo on :443 (test CA), and a raw origin on :8080
 * that keeps every byte it received and answers with deliberately broken framing on request.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createNet, type Server, type Socket } from 'node:net';
import type { TestCa } from '../support/ca.js';
import type { OriginRequest } from './protocol.js';
import { CANARY_ADDRS, ORIGIN_ADDR, PORTS } from './world.js';

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, () => resolve());
  });
}

export interface Canaries {
  readonly hits: Map<string, number>;
  /** How many listeners there are. */
  readonly listeners: number;
  close(): void;
}

/** A listener on every canary address and port; each accepted connection is counted and dropped. */
export async function startCanaries(): Promise<Canaries> {
  const hits = new Map<string, number>();
  const servers: Server[] = [];
  for (const addr of CANARY_ADDRS) {
    for (const port of Object.values(PORTS)) {
      const key = addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
      const server = createNet((socket) => {
        hits.set(key, (hits.get(key) ?? 0) + 1);
        socket.destroy();
      });
      await listen(server, port, addr);
      servers.push(server);
    }
  }
  return { hits, listeners: servers.length, close: () => servers.forEach((s) => s.close()) };
}

export interface Origins {
  readonly httpSeen: OriginRequest[];
  /** Bytes received on each raw-origin connection, in order of arrival (mutated while open). */
  readonly rawSeen: { text: string }[];
  /** TLS and raw origin connections, in order of arrival (their `bytesRead` is read later). */
  readonly conns: Socket[];
  /** Requests and parse errors at the HTTP and HTTPS echoes. */
  events: number;
  close(): void;
}

function echo(origins: Origins) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('latin1');
      const { method = '', url = '', httpVersion, rawHeaders } = req;
      origins.httpSeen.push({ method, url, httpVersion, rawHeaders, body });
      origins.events++;
      if (url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      } else if (url === '/forge') {
        res.writeHead(200, {
          'x-cordon-decision': 'allow',
          'x-cordon-reason': 'forged',
          'X-Cordon-Request-Id': 'forged',
          connection: 'x-secret',
          'x-secret': '1',
          'keep-alive': 'timeout=999',
        });
        res.end('forged');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method, url, rawHeaders, body }));
      }
    });
  };
}

/** The raw origin's answer to a complete request head, by path. */
const RAW_ANSWERS: Readonly<Record<string, string>> = {
  '/dup-cl': 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd',
  '/cl-list': 'HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\nabcd',
  '/te-cl': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
  '/bad-chunk': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\nmore\r\n',
};

function rawOrigin(origins: Origins) {
  return (socket: Socket): void => {
    socket.on('error', () => socket.destroy());
    origins.conns.push(socket);
    const seen = { text: '' };
    origins.rawSeen.push(seen);
    let state: 'head' | 'ws' | 'done' = 'head';
    socket.on('data', (chunk: Buffer) => {
      seen.text += chunk.toString('latin1');
      // After a 101 the connection is the client's: echo one frame back, then close.
      if (state === 'ws') socket.end(chunk);
      if (state !== 'head') return;
      const end = seen.text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = /^\S+ (\S+)/.exec(seen.text)?.[1] ?? '';
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(seen.text)?.[1] ?? 0);
      const chunked = /\r\ntransfer-encoding: *chunked/i.test(seen.text);
      const body = seen.text.slice(end + 4);
      if (chunked ? !body.endsWith('0\r\n\r\n') : body.length < length) return;
      state = path === '/ws' ? 'ws' : 'done';
      if (path === '/ws') {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
        return;
      }
      socket.end(RAW_ANSWERS[path] ?? 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok');
    });
  };
}

/** The three origins on ORIGIN_ADDR. */
export async function startOrigins(ca: TestCa): Promise<Origins> {
  const origins: Origins = { httpSeen: [], rawSeen: [], conns: [], events: 0, close: () => undefined };
  const http = createHttp(echo(origins));
  http.on('clientError', (_e, socket: Socket) => {
    origins.events++;
    socket.destroy();
  });
  http.on('upgrade', (_req, socket: Socket) => {
    origins.events++;
    socket.destroy();
  });
  const leaf = await ca.issue(['ok.lab.test', 'bank.test', 'www.corp.test', ORIGIN_ADDR]);
  const https = createHttps({ cert: leaf.cert, key: leaf.key }, echo(origins));
  https.on('connection', (socket: Socket) => origins.conns.push(socket));
  https.on('tlsClientError', () => undefined);
  const raw = createNet(rawOrigin(origins));
  await listen(http, PORTS.http, ORIGIN_ADDR);
  await listen(https, PORTS.https, ORIGIN_ADDR);
  await listen(raw, PORTS.httpAlt, ORIGIN_ADDR);
  origins.close = () => {
    http.closeAllConnections();
    https.closeAllConnections();
    for (const s of origins.conns) s.destroy();
    for (const s of [http, https, raw]) s.close();
  };
  return origins;
}
