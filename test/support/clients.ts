/**
 * @module test/support/clients
 * Real clients for proxy tests: curl (through execFile), one Node HTTP request on a fresh connection,
 * raw sockets that write exact bytes and read until the peer closes or a deadline passes, and CONNECT
 * tunnels opened with Node's http client.
 */
import { execFile } from 'node:child_process';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface CurlResult {
  code: number;
  status: number;
  headers: Record<string, string>;
  body: string;
  stderr: string;
}

export interface HttpReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request with Node's http client on a fresh connection to 127.0.0.1:`port` (no agent, so no
 * reuse): `path` is an absolute URL to go through a proxy, or a path for a server itself.
 */
export function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Run curl with `args`; returns status, response headers (last response) and body. */
export function curl(args: string[], timeoutMs = 10000): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '-D', '-', '--max-time', String(timeoutMs / 1000), ...args],
      { timeout: timeoutMs + 2000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const blocks = stdout.split('\r\n\r\n');
        // With a proxy CONNECT, curl prints the proxy's 200 block first; take the last header block.
        let i = 0;
        while (i + 1 < blocks.length && /^HTTP\/[\d.]+ \d+/.test(blocks[i + 1] ?? '')) i++;
        const head = blocks[i] ?? '';
        const body = blocks.slice(i + 1).join('\r\n\r\n');
        const lines = head.split('\r\n');
        const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(lines[0] ?? '')?.[1] ?? 0);
        const headers: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const c = l.indexOf(':');
          if (c > 0) headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
        }
        resolve({ code, status, headers, body, stderr });
      },
    );
  });
}

/** Write raw bytes to host:port and collect everything until the peer closes (or the deadline). */
export function rawExchange(
  port: number,
  data: string | Buffer,
  timeoutMs = 5000,
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: false });
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed: true });
    });
    socket.write(data);
  });
}

/** Open a CONNECT tunnel through the proxy with Node's http client; resolves with the status and socket. */
export function openTunnel(
  proxyPort: number,
  authority: string,
): Promise<{ status: number; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => resolve({ status: res.statusCode ?? 0, socket }));
    req.on('response', (res) => resolve({ status: res.statusCode ?? 0, socket: res.socket }));
    req.on('error', reject);
    req.end();
  });
}
