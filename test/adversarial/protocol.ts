/**
 * @module test/adversarial/protocol
 * The control channel between the suite (outside the namespace) and the harness (inside it): one
 * JSON object per line on the harness's stdin (requests) and stdout (responses). Types only.
 */
import type { TestDnsQuestion } from '../../src/net/test-dns-server.js';
import type { AccessRecord } from '../../src/proxy/records.js';
import type { CurlResult } from '../support/clients.js';
import type { ProxyName } from './world.js';

/** Bytes from a client to a proxy, written in order with `gapMs` between the parts. */
export interface RawRequest {
  readonly proxy: ProxyName;
  /** base64 of each part. */
  readonly parts: readonly string[];
  readonly gapMs?: number;
  /** Give up reading after this long (the result says `closed: false`). */
  readonly timeoutMs?: number;
  /** Source address to connect from (in 10.99.2.0/24 or 127.0.0.0/8). */
  readonly source?: string;
}

export interface RawResult {
  /** Everything the proxy sent, as latin1 (at most 256 KiB). */
  readonly text: string;
  /** The proxy closed (or reset) the connection before the deadline. */
  readonly closed: boolean;
  /** From connect to close (or the deadline). */
  readonly ms: number;
}

/** Where each recording stood at a point in time. */
export interface Mark {
  readonly dns: number;
  readonly records: Readonly<Record<ProxyName, number>>;
  readonly httpSeen: number;
  readonly rawSeen: number;
  readonly originEvents: number;
  readonly originConns: number;
  /** Canary hits so far, by `addr:port` (empty unless something already went wrong). */
  readonly canaries: Readonly<Record<string, number>>;
}

/** A request as the HTTP echo origin saw it. */
export interface OriginRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: string;
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** What happened since a mark. */
export interface Observed {
  readonly questions: readonly TestDnsQuestion[];
  readonly httpSeen: readonly OriginRequest[];
  /** Every byte each new connection to the raw origin (port 8080) carried, as latin1. */
  readonly rawSeen: readonly string[];
  /** Requests, parse errors and bytes on new TLS/raw connections at any origin. 0 = untouched. */
  readonly originTouches: number;
  /** Canary connections since the mark, by `addr:port`; must stay empty. */
  readonly canaryHits: Readonly<Record<string, number>>;
}

export interface SlowlorisRequest {
  readonly proxy: ProxyName;
  readonly sources: readonly string[];
  readonly perSource: number;
  /** How long to dribble header bytes (one byte per connection every 50 ms). */
  readonly durationMs: number;
}

export interface SlowlorisResult {
  /** The normal request sent mid-flood from another client. */
  readonly normal: RawResult;
  readonly refused429: number;
  /** Flood connections the proxy closed itself before `durationMs` ran out. */
  readonly closedByProxy: number;
  readonly opened: number;
  readonly heapGrowthBytes: number;
  readonly rssGrowthBytes: number;
}

/** Every operation with its argument and result types. */
export interface Ops {
  mark: { args: Record<string, never>; result: Mark };
  observe: { args: { mark: Mark }; result: Observed };
  records: {
    args: { proxy: ProxyName; since: number; reasons: readonly string[]; timeoutMs: number };
    result: AccessRecord[];
  };
  raw: { args: RawRequest; result: RawResult };
  curl: { args: { proxy: ProxyName; args: string[] }; result: CurlResult };
  hold: {
    args: { proxy: ProxyName; count: number; source: string; payload?: string };
    result: { open: number };
  };
  release: { args: { proxy: ProxyName }; result: { open: number } };
  slowloris: { args: SlowlorisRequest; result: SlowlorisResult };
}
export type OpName = keyof Ops;

export interface ControlRequest {
  readonly id: number;
  readonly op: OpName;
  readonly args: unknown;
}

export type ControlResponse =
  | { readonly id: number; readonly result: unknown }
  | { readonly id: number; readonly error: string }
  | { readonly ready: HarnessInfo };

export interface HarnessInfo {
  /** Where the harness wrote the test CA (curl's --cacert). */
  readonly caFile: string;
  readonly dnsPort: number;
  readonly canaries: number;
}
