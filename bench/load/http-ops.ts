/**
 * @module bench/load/http-ops
 * Whole client operations through a proxy for the load generators of scenarios e–g: a plain HTTP
 * GET in absolute form (keep-alive or not), a CONNECT + TLS + GET, a download counted to the byte,
 * each resolving with its outcome name (bench/load/outcome.ts) instead of throwing. Loopback only.
 */
import { request, type Agent } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { handshake, openTunnel, tinyGet, type LoadTarget } from './raw.js';
import { outcomeOf } from './outcome.js';

const OP_TIMEOUT_MS = 10_000;
// A bulk download may take longer than one small operation; still bounded.
const DOWNLOAD_TIMEOUT_MS = 60_000;

export interface GetOptions {
  proxyPort: number;
  /** Absolute URL, e.g. `http://origin.bench:8080/small`. */
  url: string;
  /** The status that counts as `ok` (200, or 403 for a request that must be denied). */
  expect: number;
  /** Keep-alive agent; a fresh connection per request without one. */
  agent?: Agent;
  /** Bytes the body must have, when known. */
  expectBytes?: number;
}

/** One GET through the proxy; `ok`, the unexpected status, or what went wrong. */
export function proxiedGet(o: GetOptions): Promise<string> {
  const url = new URL(o.url);
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: string): void => {
      if (!settled) resolve(outcome);
      settled = true;
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: o.proxyPort,
        path: o.url,
        headers: { host: url.host },
        agent: o.agent ?? false,
        timeout: OP_TIMEOUT_MS,
      },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('error', (e) => done(outcomeOf(e)));
        res.on('end', () => {
          if (res.statusCode !== o.expect) done(String(res.statusCode));
          else if (o.expectBytes !== undefined && bytes !== o.expectBytes) done('short body');
          else done('ok');
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('operation timed out')));
    req.on('error', (e) => done(outcomeOf(e)));
    req.end();
  });
}

/** CONNECT → full TLS handshake → GET /small with `Connection: close`; `ok` or the failure. */
export async function tunnelGet(t: LoadTarget): Promise<string> {
  try {
    const tls = await handshake(t, await openTunnel(t));
    await tinyGet(tls, t.originHost);
    return 'ok';
  } catch (e: unknown) {
    return outcomeOf(e);
  }
}

/** A CONNECT that the proxy must refuse with 403 (a host not on the allowlist). */
export async function deniedConnect(t: LoadTarget, host: string): Promise<string> {
  try {
    const s = await openTunnel({ ...t, originHost: host });
    s.destroy();
    return '200';
  } catch (e: unknown) {
    const outcome = outcomeOf(e);
    return outcome === '403' ? 'ok' : outcome;
  }
}

/**
 * CONNECT → TLS → `GET path` with `Connection: close`, counting the body to the byte: `ok` when
 * the origin answered 200 with `expectBytes` of body, else what went wrong.
 */
export async function tunnelDownload(t: LoadTarget, path: string, expectBytes: number): Promise<string> {
  let tls: TLSSocket;
  try {
    tls = await handshake(t, await openTunnel(t));
  } catch (e: unknown) {
    return outcomeOf(e);
  }
  return new Promise((resolve) => {
    let head = '';
    let body = 0;
    const timer = setTimeout(() => tls.destroy(new Error('download timed out')), DOWNLOAD_TIMEOUT_MS);
    tls.on('data', (c: Buffer) => {
      if (head.endsWith('\r\n\r\n')) {
        body += c.length;
        return;
      }
      const text = c.toString('latin1');
      const end = (head + text).indexOf('\r\n\r\n');
      if (end < 0) head += text;
      else {
        body += head.length + text.length - (end + 4);
        head = (head + text).slice(0, end + 4);
      }
    });
    tls.once('error', (e: Error) => {
      clearTimeout(timer);
      resolve(outcomeOf(e));
    });
    tls.once('close', () => {
      clearTimeout(timer);
      resolve('closed'); // no-op when 'end' or 'error' already settled it
    });
    tls.once('end', () => {
      clearTimeout(timer);
      tls.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'none';
      resolve(status !== '200' ? status : body === expectBytes ? 'ok' : 'short body');
    });
    tls.write(`GET ${path} HTTP/1.1\r\nHost: ${t.originHost}\r\nConnection: close\r\n\r\n`);
  });
}
