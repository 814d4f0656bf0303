/**
 * @module proxy/records
 * The one record the proxy emits per HTTP request or CONNECT tunnel, when it ends, and the sink type
 * it is handed to. Field names are a contract (DESIGN.md §4): the access-log writers, the audit store
 * and the dashboard read them. Never bodies, credentials, cookies or query strings.
 */
import { randomBytes } from 'node:crypto';
import type { Mode, ReasonCode, Scheme } from '../policy/types.js';

export interface AccessRecord {
  /** ISO-8601 time the request or tunnel ended. */
  time: string;
  /** Request id; also sent to the client in denials as `X-Cordon-Request-Id`. */
  id: string;
  client: string;
  /** HTTP method, or `CONNECT` for tunnels. */
  method: string;
  scheme: Scheme;
  host: string;
  port: number;
  /** Path without the query string; null for tunnels (not visible). */
  path: string | null;
  decision: 'allow' | 'deny';
  mode: Mode;
  wouldDeny: boolean;
  reason: ReasonCode;
  /** The allowlist entry that matched, with its source. */
  rule: string | null;
  group: string;
  /** The checked address that was dialled. */
  resolved: string | null;
  /** HTTP status sent to the client (200 for an established tunnel, 0 if none was sent). */
  status: number;
  bytesUp: number;
  bytesDown: number;
  dnsMs: number | null;
  connectMs: number | null;
  durationMs: number;
  policyVersion: number;
}

/** Where records go. Must not throw and must not block: the proxy calls it on the data path. */
export type RecordSink = (record: AccessRecord) => void;

const PREFIX = randomBytes(4).toString('hex');

/** Ids unique per process and cheap to make: a random process prefix and a counter. */
export function createIdSource(): () => string {
  let seq = 0;
  return () => `${PREFIX}-${(++seq).toString(36)}`;
}

/** Display form of a socket's remote address: IPv4-mapped IPv6 shown as IPv4. */
export function clientAddress(remote: string | undefined): string {
  if (remote === undefined) return '-';
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}
