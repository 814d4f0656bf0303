/**
 * @module lab/internet
 * Entry point of the lab's "internet" origins, run inside the internet namespace:
 * `node --import tsx lab/internet.ts`. One HTTPS listener (certificate chosen by SNI) and one HTTP
 * listener serve every lab host by its Host header: static files from `.lab/www/HOST/`, the S3
 * stand-in for `s3.lab.test`. Each request is logged as one JSON line on stdout, so the lab can prove
 * what did (and did not) reach the internet. Must not be imported by Cordon's code.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { extname, join, normalize } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { certPaths, TLS_HOSTS } from './fixtures.js';
import { handleS3 } from './s3.js';
import { HOSTS, PATHS } from './state.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.whl': 'application/octet-stream',
};

function contexts(): Map<string, SecureContext> {
  const map = new Map<string, SecureContext>();
  for (const host of Object.keys(TLS_HOSTS)) {
    const p = certPaths(host);
    map.set(host, createSecureContext({ cert: readFileSync(p.cert), key: readFileSync(p.key) }));
  }
  return map;
}

/** The context for an SNI name: exact host, or the S3 endpoint for a bucket subdomain. */
function pick(map: Map<string, SecureContext>, servername: string): SecureContext | undefined {
  const name = servername.toLowerCase();
  if (name.endsWith(`.${HOSTS.s3.name}`)) return map.get(HOSTS.s3.name);
  return map.get(name);
}

function serveStatic(req: IncomingMessage, res: ServerResponse, host: string): void {
  const root = join(PATHS.www, host);
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  let file = join(root, path);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!file.startsWith(`${root}/`) || !existsSync(file) || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const data = readFileSync(file);
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': data.length,
  });
  res.end(req.method === 'HEAD' ? undefined : data);
}

function handler(scheme: 'http' | 'https') {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    res.on('finish', () => {
      const line = {
        time: new Date().toISOString(),
        scheme,
        host,
        method: req.method,
        path: req.url,
        status: res.statusCode,
      };
      process.stdout.write(`${JSON.stringify({ ...line, from: req.socket.remoteAddress })}\n`);
    });
    try {
      if (host === HOSTS.s3.name || host.endsWith(`.${HOSTS.s3.name}`))
        handleS3(req, res, host, HOSTS.s3.name, PATHS.s3);
      else serveStatic(req, res, host);
    } catch (e: unknown) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(`lab origin error: ${String(e)}\n`);
    }
  };
}

function main(): void {
  const map = contexts();
  const fallback = certPaths(HOSTS.files.name);
  const https = createHttpsServer(
    {
      cert: readFileSync(fallback.cert),
      key: readFileSync(fallback.key),
      SNICallback: (name, cb) => cb(null, pick(map, name)),
    },
    handler('https'),
  );
  const http = createHttpServer(handler('http'));
  for (const server of [https, http]) server.on('clientError', (_e, socket) => socket.destroy());
  https.listen(443, '0.0.0.0');
  http.listen(80, '0.0.0.0');
  process.on('SIGTERM', () => {
    https.close();
    http.close();
    process.exit(0);
  });
}

main();
