/**
 * @module net/errors
 * The error codes of the net part (resolving, address checks, authority and CIDR parsing) in one
 * table, and `NetError`, the error class that carries them. Must not map errors to responses: the
 * proxy's response mapper owns that (DNS codes → 502, bad authority → 400).
 */
import { CordonError } from '../errors.js';

/** Every code the net part throws. Stable: logs, metrics and the proxy's response mapper key on them. */
export const NET_ERRORS = {
  /** The name has no A and no AAAA record (NXDOMAIN or NODATA on both families). */
  dnsNotFound: 'CORDON_NET_DNS_NOTFOUND',
  /** No answer from the DNS servers within the resolver's time budget. */
  dnsTimeout: 'CORDON_NET_DNS_TIMEOUT',
  /** Any other DNS failure (SERVFAIL, REFUSED, connection refused, bad reply). */
  dnsFailed: 'CORDON_NET_DNS_FAILED',
  /** A `host:port` (CONNECT target or Host header) that is not strictly well formed. */
  badAuthority: 'CORDON_NET_BAD_AUTHORITY',
  /** A port that is not plain decimal 1–65535. */
  badPort: 'CORDON_NET_BAD_PORT',
  /** An address range (CIDR or single address) that does not parse. */
  badCidr: 'CORDON_NET_BAD_CIDR',
  /** A DNS server address that is not `ip`, `ip:port` or `[v6]:port`. */
  badDnsServer: 'CORDON_NET_BAD_DNS_SERVER',
  /** A static hosts entry whose name is not canonical or whose value is not an IP address. */
  badHostsEntry: 'CORDON_NET_BAD_HOSTS_ENTRY',
  /** A resolver option out of range (timeout, tries). */
  badOption: 'CORDON_NET_BAD_OPTION',
} as const;

export type NetErrorCode = (typeof NET_ERRORS)[keyof typeof NET_ERRORS];

/** An error of the net part; `code` is one of `NET_ERRORS`. */
export class NetError extends CordonError {
  declare readonly code: NetErrorCode;

  constructor(code: NetErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'NetError';
  }
}

/** Quote an untrusted value for an error message, shortened so a log line stays a line. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
