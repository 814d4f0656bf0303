/**
 * @module net/authority
 * Strict parsing of the `host:port` of a CONNECT request (RFC 9110 §9.3.6, authority-form) and of a
 * Host header (RFC 9110 §7.2), into the canonical host that policy decides on and the proxy dials.
 * Anything ambiguous is refused rather than guessed: no userinfo, path, whitespace, sign or
 * leading zero in the port, no unbracketed IPv6. Must not know policy rules.
 */
import { canonicalHost } from '../policy/host.js';
import { errorMessage } from '../errors.js';
import { NET_ERRORS, NetError, quote } from './errors.js';
import { keptParses } from './kept-parses.js';

/** A parsed authority. IPv6 hosts are without brackets; `family` is 0 for names. */
export interface Authority {
  readonly host: string;
  readonly port: number;
  readonly isIp: boolean;
  readonly family: 0 | 4 | 6;
}

// RFC 3986 §3.2.3 allows any digits; we allow exactly one spelling per port.
const PORT_DIGITS = /^[1-9]\d{0,4}$/;
// Longer than any host name (253) in brackets or with an IDN written out, plus a port.
const MAX_AUTHORITY_LENGTH = 1100;

/** Parse a port written as plain decimal 1–65535 (no sign, no leading zero). Throws `CORDON_NET_BAD_PORT`. */
export function parsePort(text: string): number {
  const port = PORT_DIGITS.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65535) {
    throw new NetError(NET_ERRORS.badPort, `invalid port ${quote(text)}: write a decimal number 1–65535`);
  }
  return port;
}

function bad(raw: string, why: string, cause?: unknown): NetError {
  return new NetError(NET_ERRORS.badAuthority, `invalid authority ${quote(raw)}: ${why}`, { cause });
}

/** Split `host[:port]` / `[v6][:port]` without interpreting either part. */
function split(raw: string): { host: string; port: string | undefined } {
  if (raw.startsWith('[')) {
    const close = raw.indexOf(']');
    if (close < 0) throw bad(raw, 'unclosed "["');
    const rest = raw.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw bad(raw, 'unexpected text after "]"');
    return { host: raw.slice(0, close + 1), port: rest === '' ? undefined : rest.slice(1) };
  }
  const colon = raw.indexOf(':');
  if (colon < 0) return { host: raw, port: undefined };
  if (raw.indexOf(':', colon + 1) >= 0) throw bad(raw, 'IPv6 addresses must be in brackets');
  return { host: raw.slice(0, colon), port: raw.slice(colon + 1) };
}

function parse(raw: string, defaultPort: number | undefined): Authority {
  if (raw.length === 0) throw bad(raw, 'empty');
  if (raw.length > MAX_AUTHORITY_LENGTH) throw bad(raw, 'too long');
  const parts = split(raw);
  const portText = parts.port;
  if (portText === undefined && defaultPort === undefined) throw bad(raw, 'a port is required (host:port)');
  if (parts.host.length === 0) throw bad(raw, 'empty host');
  let host: ReturnType<typeof canonicalHost>;
  try {
    host = canonicalHost(parts.host);
  } catch (e: unknown) {
    throw bad(raw, errorMessage(e), e);
  }
  // canonicalHost strips one trailing dot; a second one would be an empty label ("a.com..").
  if (host.host.endsWith('.')) throw bad(raw, 'empty label');
  if (parts.host.startsWith('[') && host.family !== 6) throw bad(raw, 'only IPv6 addresses go in brackets');
  const port = portText === undefined ? (defaultPort ?? 0) : parsePort(portText);
  return { host: host.host, port, isIp: host.isIp, family: host.family };
}

/**
 * Parse a CONNECT target: `host:port` or `[v6]:port`, the port required. The host is canonical
 * (`canonicalHost()`). Throws `CORDON_NET_BAD_AUTHORITY` or `CORDON_NET_BAD_PORT`. Answers are kept
 * by their text (`keptParses`): frozen, shared, never for a target that failed.
 */
export const parseAuthority: (s: string) => Authority = keptParses((s) => parse(s, undefined));

/**
 * Parse a Host header value: `host`, `host:port`, `[v6]` or `[v6]:port`; `defaultPort` when no port
 * is given (an empty port after ":" is refused). Throws like `parseAuthority`.
 */
export function parseHostHeader(s: string, defaultPort: number): Authority {
  parsePort(String(defaultPort));
  return parse(s, defaultPort);
}

/** The authority text of a host and port: `[v6]:port` or `host:port`. `parseAuthority` reads it back. */
export function formatAuthority(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
