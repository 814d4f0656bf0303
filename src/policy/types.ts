/**
 * @module policy/types
 * The data shapes of policy: the plain `PolicySpec` that config produces (already validated, files
 * already read), and the `Decision` value that `decide()` returns. No logic, no I/O.
 */

export type Scheme = 'http' | 'https';

/** How a group's denials take effect. `learn` reports until `learnUntil`, then enforces. */
export type Mode = 'enforce' | 'report' | 'learn';

/** One scheme's rules: which ports, which destinations (squid `dstdomain` syntax, IPs or CIDRs). */
export interface SchemeSpec {
  readonly ports: readonly number[];
  /** Entries in squid dstdomain syntax (`example.com`, `.example.com`, `*.example.com`), IPs or CIDRs. */
  readonly allow: readonly AllowEntry[];
}

/** One allowlist entry with where it came from, so decisions and lint can name its origin. */
export interface AllowEntry {
  readonly value: string;
  /** `cordon.yaml:https.allow[2]` or `allowhttps.txt:14`. */
  readonly source: string;
}

/** A client group: clients in `clients` get these rules. */
export interface GroupSpec {
  readonly name: string;
  readonly clients: readonly string[];
  readonly mode: Mode;
  /** ISO date-time; only meaningful with mode `learn`. */
  readonly learnUntil?: string | undefined;
  readonly http: SchemeSpec;
  readonly https: SchemeSpec;
}

/**
 * Everything `compilePolicy()` needs. Groups are matched in order by client address; the last one,
 * named `default`, holds the top-level rules and covers every client allowed at all.
 */
export interface PolicySpec {
  /** CIDRs allowed to use the proxy at all (squid's `localnet`). */
  readonly clients: readonly string[];
  readonly groups: readonly GroupSpec[];
}

/** Stable reason codes carried by every decision; documented in docs/reasons.md. */
export const REASONS = {
  allowed: 'allowed',
  clientNotAllowed: 'client_not_allowed',
  notAllowlisted: 'not_allowlisted',
  portNotAllowed: 'port_not_allowed',
  schemeNotAllowed: 'scheme_not_allowed',
  ipLiteralNotAllowed: 'ip_literal_not_allowed',
  invalidHost: 'invalid_host',
  blockedAddress: 'blocked_address',
  dnsFailure: 'dns_failure',
  upstreamConnectFailed: 'upstream_connect_failed',
  upstreamTimeout: 'upstream_timeout',
  upstreamError: 'upstream_error',
  sniMismatch: 'sni_mismatch',
  sniMissing: 'sni_missing',
  notTls: 'not_tls',
  badRequest: 'bad_request',
  limitExceeded: 'limit_exceeded',
  resourceExhausted: 'resource_exhausted',
  internalError: 'internal_error',
} as const;

export type ReasonCode = (typeof REASONS)[keyof typeof REASONS];

/** What `decide()` is asked: the canonical target, never a raw string from the wire. */
export interface DecisionInput {
  readonly client: string;
  readonly scheme: Scheme;
  /** Canonical host: lowercase, punycode, no trailing dot; IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
  /** True when `host` is an IP literal (after canonicalisation). */
  readonly isIp: boolean;
}

/** A decision is a value with a reason, never an exception (smokescreen's lesson). */
export interface Decision {
  /** Whether traffic flows. In report/learn mode a would-be denial still allows. */
  readonly allow: boolean;
  /** True when the rules deny but the group's mode lets it through. */
  readonly wouldDeny: boolean;
  readonly reason: ReasonCode;
  /** Name of the group whose rules decided. `-` when the client is in no group. */
  readonly group: string;
  readonly mode: Mode;
  /** The matching allowlist entry with its source, or null. */
  readonly rule: string | null;
  /** One sentence for humans: why. */
  readonly detail: string;
}
