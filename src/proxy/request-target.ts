/**
 * @module proxy/request-target
 * Strict parsing of an absolute-form request target (`http://host[:port]/path?query`, RFC 9112 §3.2.2).
 * The URL's own authority decides the destination; the Host header never does. Userinfo, fragments,
 * backslashes and non-decimal ports are refused rather than guessed at, so no second host can be
 * smuggled past the policy. Pure.
 */
import { keptParses } from '../net/kept-parses.js';
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

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const SLASH = 0x2f;
const QUESTION = 0x3f;
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

/** A parsed authority: what `splitHostPort` and `canonicalHost` made of it. */
interface Authority {
  readonly host: string;
  readonly isIp: boolean;
  readonly port: number;
}

function readAuthority(authority: string, scheme: string): Authority {
  const { host: rawHost, port } = splitHostPort(authority, DEFAULT_PORTS[scheme] ?? 0);
  const canonical = canonicalHost(rawHost);
  return { host: canonical.host, isIp: canonical.isIp, port };
}

// A proxy sees the same few `http` destinations over and over, and parsing one (the port, then the
// WHATWG host rules) cost more than the rest of the target: kept by their text.
const httpAuthority = keptParses((authority) => readAuthority(authority, 'http'));

const NOT_ABSOLUTE = 'request target is not an absolute http:// URL';

/**
 * Parse an absolute-form target. Returns null for origin-form (`/path`) so the caller can explain
 * that this is a proxy; throws `CORDON_PROXY_BAD_REQUEST` for anything malformed.
 * The grammar is `scheme "://" authority [path-and-query]`: the scheme as in RFC 3986, the
 * authority running to the first `/` or `?`, and no `#` anywhere (a fragment is never sent).
 */
export function parseAbsoluteTarget(url: string): AbsoluteTarget | null {
  if (url.startsWith('/')) return null;
  const colon = url.indexOf(':');
  if (colon < 1 || !url.startsWith('//', colon + 1) || url.includes('#')) throw bad(NOT_ABSOLUTE);
  const rawScheme = url.slice(0, colon);
  let scheme = 'http';
  if (rawScheme !== 'http') {
    if (!SCHEME.test(rawScheme)) throw bad(NOT_ABSOLUTE);
    scheme = rawScheme.toLowerCase();
  }
  const from = colon + 3;
  let end = from;
  while (end < url.length) {
    const c = url.charCodeAt(end);
    if (c === SLASH || c === QUESTION) break;
    end++;
  }
  const authority = url.slice(from, end);
  const rest = url.slice(end);
  if (authority.includes('@')) throw bad('userinfo in the request target is not allowed');
  if (rest.includes('\\')) throw bad('backslash in the request target');
  const { host, isIp, port } =
    scheme === 'http' ? httpAuthority(authority) : readAuthority(authority, scheme);
  const path = rest === '' ? '/' : rest.startsWith('?') ? `/${rest}` : rest;
  return { scheme, host, isIp, port, path };
}
