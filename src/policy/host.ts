/**
 * @module policy/host
 * Canonical host names: the one form on which policy is decided and which is then dialled.
 * WHATWG host parsing (the same as `new URL()`): IDN → punycode, lowercase, every IPv4 spelling
 * (decimal, octal, hex, short forms) → dotted quad, IPv6 compressed. Then no trailing dot.
 * Pure; no DNS.
 */
import { CordonError } from '../errors.js';

/** A host in canonical form. IPv6 addresses are stored without brackets. */
export interface CanonicalHost {
  readonly host: string;
  readonly isIp: boolean;
  readonly family: 0 | 4 | 6;
}

export const HOST_ERRORS = {
  invalid: 'CORDON_POLICY_INVALID_HOST',
} as const;

// Anything that could make the URL parser read a different host than the one we were given:
// userinfo, path, query, fragment, backslash (WHATWG treats it as '/'), percent-encoding, whitespace.
const SMUGGLING_CHARS = /[@/\\?#%\s]/;
const IPV4_DOTTED = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// What a DNS name label may hold after IDN mapping: letters, digits, hyphen (RFC 1123 §2.1) and the
// underscore real names carry. WHATWG lets `*`, `"`, `'`, `;`, `{`, ... through; no resolvable name has them.
const NAME_LABEL_CHARS = /^[a-z0-9_-]+$/;
// RFC 1035 §2.3.4: 253 characters in text form.
const MAX_HOST_LENGTH = 253;

// Names already in canonical form: lowercase ASCII labels of letters, digits and inner hyphens, no
// punycode (`xn--` labels go through the URL parser, which validates them), and a last label that
// the WHATWG parser cannot read as a number (it holds a letter and is not 0x-hex). For these
// `new URL()` would return the input unchanged, so it is skipped: this is the hot path.
const CANONICAL_NAME =
  /^(?:(?!xn--)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*(?!xn--)(?!0x[0-9a-f]*$)(?=[a-z0-9-]*[a-z])[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function invalid(raw: string, why: string): CordonError {
  return new CordonError(HOST_ERRORS.invalid, `invalid host ${JSON.stringify(raw.slice(0, 100))}: ${why}`);
}

/**
 * Canonicalise a host as it appears in a request (`Example.COM.`, `0x7f.1`, `[::1]`, `bücher.de`).
 * Throws `CORDON_POLICY_INVALID_HOST` for anything the WHATWG parser refuses or that could smuggle
 * a second host (userinfo, backslashes, percent-encoding, zone IDs).
 */
export function canonicalHost(raw: string): CanonicalHost {
  if (raw.length <= MAX_HOST_LENGTH && CANONICAL_NAME.test(raw)) return { host: raw, isIp: false, family: 0 };
  if (raw.length === 0) throw invalid(raw, 'empty');
  if (raw.length > 1024) throw invalid(raw, 'too long');
  if (SMUGGLING_CHARS.test(raw)) throw invalid(raw, 'contains a character not allowed in a host');
  const bracketed = raw.startsWith('[');
  if (!bracketed && raw.includes(':')) throw invalid(raw, 'IPv6 literals must be in brackets');
  // new URL() would read `[::1]:80` as host [::1] and drop the port: a port is not part of a host.
  if (bracketed && !raw.endsWith(']')) throw invalid(raw, 'text after "]" (a port is not part of a host)');
  let hostname: string;
  try {
    hostname = new URL(`http://${raw}/`).hostname;
  } catch {
    throw invalid(raw, 'not a valid host name');
  }
  if (hostname.startsWith('[')) {
    return { host: hostname.slice(1, -1), isIp: true, family: 6 };
  }
  if (hostname.includes('..') || hostname.startsWith('.')) throw invalid(raw, 'empty label');
  if (hostname.endsWith('.')) hostname = hostname.slice(0, -1);
  if (hostname.length === 0 || hostname.length > MAX_HOST_LENGTH) throw invalid(raw, 'bad length');
  if (IPV4_DOTTED.test(hostname)) return { host: hostname, isIp: true, family: 4 };
  const labels = hostname.split('.');
  if (labels.some((label) => label.length > 63)) throw invalid(raw, 'label longer than 63');
  if (!labels.every((label) => NAME_LABEL_CHARS.test(label))) {
    throw invalid(raw, 'a label holds a character other than a-z, 0-9, "-" and "_"');
  }
  return { host: hostname, isIp: false, family: 0 };
}
