/**
 * @module proxy/forward
 * Plain-HTTP forwarding of one allowed request: resolve and check the destination, send the request
 * re-serialised (never raw bytes) over a pooled keep-alive connection to the checked address,
 * stream both bodies, and report how it went. Knows nothing about policy rules or logs.
 */
import { request as httpRequest, type Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolveChecked } from './dial.js';
import { PROXY_ERRORS, ProxyError } from './errors.js';
import { clientResponseHeaders, hostHeaderFor, upstreamRequestHeaders } from './headers.js';
import type { AbsoluteTarget } from './request-target.js';
import type { ProxyRuntime } from './runtime.js';

export interface ForwardOutcome {
  resolved: string | null;
  dnsMs: number | null;
  connectMs: number | null;
  bytesUp: number;
  bytesDown: number;
  /** Set when the exchange failed; the caller maps it to a response or a destroyed socket. */
  error: unknown;
}

function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (cl !== undefined && cl !== '0');
}

/** Forward `req` to `target`; resolves when the response has been fully sent or the exchange failed. */
export async function forwardHttp(
  runtime: ProxyRuntime,
  agent: Agent,
  target: AbsoluteTarget,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<ForwardOutcome> {
  const out: ForwardOutcome = {
    resolved: null,
    dnsMs: null,
    connectMs: null,
    bytesUp: 0,
    bytesDown: 0,
    error: null,
  };
  try {
    const checked = await resolveChecked(runtime, target.host, target.isIp);
    out.resolved = checked.address;
    out.dnsMs = checked.dnsMs;
  } catch (e: unknown) {
    out.error = e;
    return out;
  }
  const { timeouts } = runtime.settings;
  const address = out.resolved;
  return new Promise<ForwardOutcome>((resolve) => {
    let done = false;
    const finish = (error: unknown): void => {
      if (done) return;
      done = true;
      clearTimeout(headersTimer);
      out.error = error;
      resolve(out);
    };
    const started = performance.now();
    const upstream = httpRequest({
      host: address,
      port: target.port,
      method: req.method,
      path: target.path,
      agent,
      setHost: false,
      headers: upstreamRequestHeaders(req.rawHeaders, hostHeaderFor(target.host, target.port, 80)),
    });
    const headersTimer = setTimeout(() => {
      upstream.destroy(new ProxyError(PROXY_ERRORS.upstreamTimeout, `no response from ${address} in time`));
    }, timeouts.connectMs + timeouts.upstreamHeadersMs);
    upstream.on('socket', (socket) => {
      if (!socket.connecting) {
        out.connectMs = 0;
        return;
      }
      const connectTimer = setTimeout(() => {
        upstream.destroy(new ProxyError(PROXY_ERRORS.connectTimeout, `connect to ${address} timed out`));
      }, timeouts.connectMs);
      socket.once('connect', () => {
        clearTimeout(connectTimer);
        out.connectMs = Math.round((performance.now() - started) * 1000) / 1000;
      });
      socket.once('close', () => clearTimeout(connectTimer));
    });
    upstream.on('error', (e) => {
      if (res.headersSent) res.destroy();
      finish(e);
    });
    upstream.on('response', (upRes) => {
      clearTimeout(headersTimer);
      upRes.on('error', (e) => {
        res.destroy();
        finish(e);
      });
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, clientResponseHeaders(upRes.rawHeaders));
      upRes.on('data', (chunk: Buffer) => {
        out.bytesDown += chunk.length;
      });
      res.once('finish', () => finish(null));
      upRes.pipe(res);
    });
    // A client that goes away mid-exchange takes the upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) {
        upstream.destroy();
        finish(new ProxyError(PROXY_ERRORS.badRequest, 'client closed the connection'));
      }
    });
    if (hasBody(req)) {
      req.on('data', (chunk: Buffer) => {
        out.bytesUp += chunk.length;
      });
      req.pipe(upstream);
    } else {
      upstream.end();
    }
  });
}
