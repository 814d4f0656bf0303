/**
 * @module test/adversarial/cases
 * The shape of one adversarial case — what the client sends, and what must follow: the status or
 * close, the stable reason code in the decision record, the DNS names the proxy may ask (exactly),
 * whether any byte may reach an origin — and builders that keep the case tables short. Canary
 * silence, "only A/AAAA, never PTR" and a live proxy afterwards are checked for every case.
 */
import type { ReasonCode } from '../../src/policy/types.js';
import type { AccessRecord } from '../../src/proxy/records.js';
import type { Harness } from './harness-client.js';
import type { Observed } from './protocol.js';
import type { ProxyName } from './world.js';

export type Part = string | Buffer;

/** Exact bytes to the proxy, `gapMs` apart (a ClientHello split across reads, a slow client). */
export interface RawAction {
  readonly kind: 'raw';
  readonly parts: readonly Part[];
  readonly gapMs?: number;
  readonly timeoutMs?: number;
  readonly source?: string;
}

/** curl inside the namespace, with `-x` set to the proxy under test. */
export interface CurlAction {
  readonly kind: 'curl';
  readonly args: readonly string[];
}

/** Several steps (hold connections, then send …); returns the outcome the expectations apply to. */
export interface StepsAction {
  readonly kind: 'steps';
  run(ctx: CaseContext): Promise<Outcome>;
}

export type Action = RawAction | CurlAction | StepsAction;

export interface CaseContext {
  readonly h: Harness;
  readonly proxy: ProxyName;
  /** Run a raw action against the proxy under test. */
  send(a: RawAction): Promise<Outcome>;
}

/** What the client saw. `status` is the first response's, 0 when none came. */
export interface Outcome {
  readonly status: number;
  readonly closed: boolean;
  readonly text: string;
  readonly ms: number;
  /** The first response's headers, names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface Expectation {
  readonly status: number;
  /**
   * In the decision record; and in X-Cordon-Reason when Cordon answered itself. A list where the
   * engines legitimately differ (one refuses in its parser what the other refuses after it).
   */
  readonly reason: ReasonCode | readonly ReasonCode[];
  /** The proxy must close the connection. */
  readonly closed?: boolean;
  /** Exactly the names the proxy asks DNS (any of A/AAAA); default: none at all. */
  readonly dns?: readonly string[];
  /** Bytes reach an origin; default: none may. */
  readonly reaches?: boolean;
  readonly check?: (o: Outcome, seen: Observed, records: readonly AccessRecord[]) => void;
}

export interface AdversarialCase {
  readonly name: string;
  readonly send: Action;
  readonly expect: Expectation;
  /** Run against the proxy with tight connection caps. */
  readonly tight?: boolean;
  /** Not built yet: why. The case is reported as a todo, not run. */
  readonly todo?: string;
}

export const raw = (...parts: Part[]): RawAction => ({ kind: 'raw', parts });

/** A `raw` action with pacing or a source address. */
export const paced = (
  a: RawAction,
  o: { gapMs?: number; timeoutMs?: number; source?: string },
): RawAction => ({
  ...a,
  ...o,
});

/** An absolute-form GET that asks the proxy to close after answering. */
export const get = (url: string, headers = ''): RawAction =>
  raw(`GET ${url} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);

/** A CONNECT, with whatever the client sends after it in the same write. */
export const connect = (authority: string, ...after: Part[]): RawAction =>
  raw(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`, ...after);

export const curl = (...args: string[]): CurlAction => ({ kind: 'curl', args });

export const steps = (run: StepsAction['run']): StepsAction => ({ kind: 'steps', run });

/** Parse what a raw client saw. */
export function outcomeOf(text: string, closed: boolean, ms: number): Outcome {
  const head = text.split('\r\n\r\n', 1)[0] ?? '';
  const lines = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
  }
  return { status, closed, text, ms, headers };
}

/** Every status line in a raw exchange, in order (pipelined responses). */
export function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}
