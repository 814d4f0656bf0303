/**
 * @module bench/origin-server
 * The benchmark's origin, run as its own process (pinned beside the proxy): HTTP and HTTPS on
 * 127.0.0.1, keep-alive, serving `/small` (100 bytes) and `/bulk` (100 MiB streamed from one
 * preallocated buffer, with backpressure) and `/medium` (8 MiB, the same way). Prints `{"http":PORT,"https":PORT}` once listening and
 * runs until SIGTERM. Serves nothing else and never connects anywhere.
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { BULK_BYTES, MEDIUM_BYTES, SMALL_BYTES } from './origin-spec.js';

const CHUNK = Buffer.alloc(1024 * 1024, 120);
const SMALL = Buffer.alloc(SMALL_BYTES, 120);
// Longer than any pause between repetitions, so a proxy's pooled upstream connections stay usable.
const KEEP_ALIVE_MS = 120_000;

async function sendBulk(res: ServerResponse, bytes: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
  for (let sent = 0; sent < bytes && !res.destroyed; sent += CHUNK.length) {
    const part = bytes - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, bytes - sent);
    if (!res.write(part)) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.on('error', () => res.destroy());
  if (req.url === '/bulk' || req.url === '/medium') {
    void sendBulk(res, req.url === '/bulk' ? BULK_BYTES : MEDIUM_BYTES);
    return;
  }
  if (req.url === '/small') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(SMALL_BYTES) });
    res.end(SMALL);
    return;
  }
  res.writeHead(404, { 'content-length': '0' });
  res.end();
}

function tune<T extends HttpServer | HttpsServer>(server: T): T {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  server.on('clientError', (_e, socket) => socket.destroy());
  return server;
}

async function listen(server: HttpServer | HttpsServer): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', 4096, r));
  return (server.address() as AddressInfo).port;
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as { cert: string; key: string };
  const http = tune(createHttp(handle));
  const https = tune(createHttps({ cert: readFileSync(opts.cert), key: readFileSync(opts.key) }, handle));
  const ports = { http: await listen(http), https: await listen(https) };
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  process.on('SIGTERM', () => {
    http.closeAllConnections();
    https.closeAllConnections();
    http.close();
    https.close();
  });
}

await main();
