/**
 * @module proxy/recorder
 * Builds the one `AccessRecord` of a request or tunnel as it progresses and hands it to the sink
 * exactly once, when it ends (never before the decision is known). Also shapes Cordon's own
 * responses so they carry the record's id and destination.
 */
import type { Socket } from 'node:net';
import { REASONS, type Decision, type ReasonCode, type Scheme } from '../policy/types.js';
import { clientAddress, createIdSource, type AccessRecord, type RecordSink } from './records.js';
import type { CordonResponse } from './respond.js';

export interface TrafficFigures {
  resolved: string | null;
  dnsMs: number | null;
  connectMs: number | null;
  bytesUp: number;
  bytesDown: number;
}

export interface RecordBuilder {
  readonly record: AccessRecord;
  target(scheme: Scheme, host: string, port: number, path: string | null): void;
  decision(d: Decision, policyVersion: number): void;
  traffic(t: TrafficFigures): void;
  response(status: number, reason: ReasonCode, detail: string, help: string): CordonResponse;
  finish(patch: { status: number; decision?: 'allow' | 'deny'; reason?: ReasonCode }): void;
}

/** What `start()` reads of a request; `IncomingMessage` fits. */
export interface RequestSource {
  readonly method?: string | undefined;
  readonly socket: { readonly remoteAddress?: string | undefined };
}

export interface Recorder {
  start(req: RequestSource, scheme: Scheme): RecordBuilder;
  /** `start()` for an engine that already has the client's display address (`clientAddress()`). */
  startAt(client: string, method: string, scheme: Scheme): RecordBuilder;
  /** Record a request llhttp refused before we saw it, or a connection refused by a cap. */
  malformed(socket: Socket, status: number, reason?: ReasonCode): void;
  bareResponse(status: number, reason: ReasonCode, detail: string): CordonResponse;
}

function destinationOf(rec: AccessRecord): string {
  if (rec.host === '-') return '-';
  const host = rec.host.includes(':') ? `[${rec.host}]` : rec.host;
  return rec.method === 'CONNECT'
    ? `${host}:${rec.port}`
    : `${rec.scheme}://${host}:${rec.port}${rec.path ?? ''}`;
}

function blank(id: string, client: string, method: string, scheme: Scheme): AccessRecord {
  return {
    time: '',
    id,
    client,
    method,
    scheme,
    host: '-',
    port: 0,
    path: null,
    decision: 'deny',
    mode: 'enforce',
    wouldDeny: false,
    reason: REASONS.badRequest,
    rule: null,
    group: '-',
    resolved: null,
    status: 0,
    bytesUp: 0,
    bytesDown: 0,
    dnsMs: null,
    connectMs: null,
    durationMs: 0,
    policyVersion: 0,
  };
}

/**
 * One record in progress (a class, not closures: one is made per request). Once finished it is
 * frozen in effect: later calls change nothing, because the sink's consumers (access logs, audit
 * store, live tail) keep the record itself and read it later.
 */
class Builder implements RecordBuilder {
  private done = false;

  constructor(
    readonly record: AccessRecord,
    private readonly startedAt: number,
    private readonly emit: (rec: AccessRecord, startedAt: number) => void,
  ) {}

  target(s: Scheme, host: string, port: number, path: string | null): void {
    if (this.done) return;
    const rec = this.record;
    rec.scheme = s;
    rec.host = host;
    rec.port = port;
    const query = path === null ? -1 : path.indexOf('?');
    rec.path = path === null || query < 0 ? path : path.slice(0, query);
  }

  decision(d: Decision, version: number): void {
    if (this.done) return;
    const rec = this.record;
    rec.decision = d.allow ? 'allow' : 'deny';
    rec.mode = d.mode;
    rec.wouldDeny = d.wouldDeny;
    rec.reason = d.reason;
    rec.rule = d.rule;
    rec.group = d.group;
    rec.policyVersion = version;
  }

  /** Copies the five figures by name: `Object.assign` was slower, and copied any other field `t` held. */
  traffic(t: TrafficFigures): void {
    if (this.done) return;
    const rec = this.record;
    rec.resolved = t.resolved;
    rec.dnsMs = t.dnsMs;
    rec.connectMs = t.connectMs;
    rec.bytesUp = t.bytesUp;
    rec.bytesDown = t.bytesDown;
  }

  response(status: number, reason: ReasonCode, detail: string, help: string): CordonResponse {
    const rec = this.record;
    return { status, reason, detail, help, destination: destinationOf(rec), requestId: rec.id };
  }

  finish(patch: { status: number; decision?: 'allow' | 'deny'; reason?: ReasonCode }): void {
    if (this.done) return;
    this.done = true;
    const rec = this.record;
    rec.status = patch.status;
    if (patch.decision) rec.decision = patch.decision;
    if (patch.reason) rec.reason = patch.reason;
    this.emit(rec, this.startedAt);
  }
}

/**
 * `ms` as `Date.prototype.toISOString()` writes it. Records end several to a millisecond under load
 * and `toISOString` costs over a microsecond, so the last answer is kept, and the text up to the
 * seconds is formatted once per second: within a second only the milliseconds are written.
 */
let lastMs = Number.NaN;
let lastIso = '';
let lastSecond = Number.NaN;
let secondText = '';
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    const frac = ms % 1000;
    const second = ms - frac;
    if (frac < 0) {
      lastIso = new Date(ms).toISOString(); // before 1970: never from a clock, not worth a path
    } else {
      if (second !== lastSecond) {
        lastSecond = second;
        // `…T16:38:51.` — everything but the milliseconds and the Z.
        secondText = new Date(second).toISOString().slice(0, -4);
      }
      lastIso = `${secondText}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
    }
  }
  return lastIso;
}

function isoNow(): string {
  return isoTime(Date.now());
}

export function createRecorder(sink: RecordSink): Recorder {
  const nextId = createIdSource();
  const emit = (rec: AccessRecord, startedAt: number): void => {
    rec.time = isoNow();
    rec.durationMs = Math.round((performance.now() - startedAt) * 1000) / 1000;
    sink(rec);
  };
  return {
    start(req, scheme) {
      return this.startAt(clientAddress(req.socket.remoteAddress), req.method ?? '-', scheme);
    },
    startAt(client, method, scheme) {
      return new Builder(blank(nextId(), client, method, scheme), performance.now(), emit);
    },
    malformed(socket, status, reason = REASONS.badRequest) {
      const rec = blank(nextId(), clientAddress(socket.remoteAddress), '-', 'http');
      rec.status = status;
      rec.reason = reason;
      emit(rec, performance.now());
    },
    bareResponse(status, reason, detail) {
      return { status, reason, detail, help: '', destination: '-', requestId: '-' };
    },
  };
}
