/**
 * @module proxy/request-checks
 * Checks on a parsed request that llhttp does not make for us: URL length (414), header count (431),
 * and framing that a proxy must refuse because the next hop might read it differently (RFC 9112
 * §6.1, §6.3): Transfer-Encoding on HTTP/1.0, any Transfer-Encoding but exactly `chunked`, duplicate
 * Transfer-Encoding, Content-Length or Host headers, and a body on a method that has none.
 */
import { PROXY_ERRORS, ProxyError } from './errors.js';
import type { ProxySettings } from './runtime.js';

function bad(message: string, status = 400): ProxyError {
  return new ProxyError(PROXY_ERRORS.badRequest, message, { status });
}

/** What the checks read of a parsed request; `IncomingMessage` and the fast engine's head both fit. */
export interface RequestShape {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly rawHeaders: readonly string[];
  readonly httpVersionMajor: number;
  readonly httpVersionMinor: number;
}

/** Throws a ProxyError (with its status) when the request must be refused before any decision. */
export function checkRequestShape(req: RequestShape, limits: ProxySettings['limits']): void {
  if ((req.url ?? '').length > limits.maxUrlLength) throw bad('request URL too long', 414);
  const raw = req.rawHeaders;
  if (raw.length / 2 > limits.maxHeaders) throw bad('too many request headers', 431);
  let te = 0;
  let cl = 0;
  let host = 0;
  let body = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    if (name === 'transfer-encoding') {
      te++;
      body = true;
      if ((raw[i + 1] ?? '').trim().toLowerCase() !== 'chunked')
        throw bad('only Transfer-Encoding: chunked is accepted');
    } else if (name === 'content-length') {
      cl++;
      body ||= (raw[i + 1] ?? '').trim() !== '0';
    } else if (name === 'host') host++;
  }
  // RFC 9110 §9.3.8: a client MUST NOT send content in a TRACE request, so a next hop may read it as
  // the start of another request. (GET bodies are forwarded: search APIs send them, framed as sent.)
  if (body && req.method === 'TRACE') throw bad('a TRACE request has no body');
  if (te > 1 || cl > 1 || host > 1) throw bad('duplicate framing or Host header');
  if (te > 0 && (req.httpVersionMajor !== 1 || req.httpVersionMinor === 0)) {
    throw bad('Transfer-Encoding is not allowed on HTTP/1.0');
  }
  if (te > 0 && cl > 0) throw bad('both Transfer-Encoding and Content-Length');
}
