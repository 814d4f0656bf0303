/**
 * @module test/support/origins
 * Upstream servers for tests: an HTTP echo origin (answers with what reached it as JSON, and counts
 * connections) and an HTTPS one with a certificate from the test CA. Loopback, port 0.
 */
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCa } from './ca.js';

export interface Origin {
  readonly port: number;
  /** Requests seen, newest last. */
  readonly seen: {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    rawHeaders: string[];
    body: string;
  }[];
  connections: number;
  close(): Promise<void>;
}

function echo(origin: Origin) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      origin.seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body,
      });
      if (req.url?.startsWith('/bytes/')) {
        const n = Number(req.url.slice(7));
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(n) });
        res.end(Buffer.alloc(n, 97));
        return;
      }
      if (req.url?.startsWith('/slow/')) {
        // Answers after the given delay: a request that is in flight while a test reloads or stops.
        setTimeout(() => res.end('slow done'), Number(req.url.slice(6)));
        return;
      }
      if (req.url === '/forge') {
        res.writeHead(200, {
          'x-cordon-decision': 'allow',
          'x-cordon-reason': 'forged',
          connection: 'close, x-secret',
          'x-secret': '1',
        });
        res.end('forged');
        return;
      }
      const payload = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json', 'x-origin': 'echo' });
      res.end(payload);
    });
  };
}

async function listen(server: ReturnType<typeof createHttp>, origin: Origin): Promise<Origin> {
  server.on('connection', () => origin.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(origin, {
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

function blankOrigin(): Origin {
  return { port: 0, seen: [], connections: 0, close: () => Promise.resolve() };
}

export function createHttpOrigin(): Promise<Origin> {
  const origin = blankOrigin();
  return listen(createHttp(echo(origin)), origin);
}

export async function createHttpsOrigin(ca: TestCa, names: string[]): Promise<Origin> {
  const origin = blankOrigin();
  const leaf = await ca.issue(names);
  const server = createHttps({ cert: leaf.cert, key: leaf.key }, echo(origin));
  server.on('secureConnection', () => undefined);
  return listen(server, origin);
}
