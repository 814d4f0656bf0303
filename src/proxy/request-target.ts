/**
 * @module proxy/request-target
 * Strict parsing of an absolute-form request target (`http://host[:port]/path?query`, RFC 9112 §3.2.2).
 * The URL's own authority decides the destination; the Host header never does. Userinfo, fragments,
 * backslashes and non-decimal ports are refused rather than guessed at, so no second host can be
 * smuggled past the policy. Pure.
 */
import { canonicalHost } from '../policy/host.js';
import { PROXY_ERRORS, ProxyError } from './errors.js';

export interface AbsoluteTarget {
  readonly scheme: string;
  readonly host: string;
  readonly isIp: boolean;
  readonly port: number;
  /** Path and query as sent, always starting with `/`. */
  readonly path: string;
}

const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)$/;
const PORT = /^(?:[1-9][0-9]{0,4})$/;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

function bad(why: string): ProxyError {
  return new ProxyError(PROXY_ERRORS.badRequest, why);
}

/** Split `host[:port]` / `[v6][:port]`; the port must be plain decimal 1–65535. */
export function splitHostPort(authority: string, defaultPort: number): { host: string; port: number } {
  let host = authority;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end === -1) throw bad('unterminated IPv6 literal');
    host = authority.slice(0, end + 1);
    const rest = authority.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw bad('junk after IPv6 literal');
      portText = rest.slice(1);
    }
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon !== -1) {
      host = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    }
  }
  if (portText === undefined || portText === '') return { host, port: defaultPort };
  const port = PORT.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) throw bad(`invalid port ${JSON.stringify(portText.slice(0, 20))}`);
  return { host, port };
}

/**
 * Parse an absolute-form target. Returns null for origin-form (`/path`) so the caller can explain
 * that this is a proxy; throws `CORDON_PROXY_BAD_REQUEST` for anything malformed.
 */
export function parseAbsoluteTarget(url: string): AbsoluteTarget | null {
  if (url.startsWith('/')) return null;
  const m = ABSOLUTE.exec(url);
  if (m === null) throw bad('request target is not an absolute http:// URL');
  const scheme = (m[1] ?? '').toLowerCase();
  const authority = m[2] ?? '';
  const rest = m[3] ?? '';
  if (authority.includes('@')) throw bad('userinfo in the request target is not allowed');
  if (rest.includes('\\')) throw bad('backslash in the request target');
  const { host: rawHost, port } = splitHostPort(authority, DEFAULT_PORTS[scheme] ?? 0);
  const canonical = canonicalHost(rawHost);
  const path = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  return { scheme, host: canonical.host, isIp: canonical.isIp, port, path };
}
