/**
 * @module cluster/ipc
 * The messages between the cluster primary and its workers, with guards for what arrives (another
 * process's data is checked, not trusted), and the worker-side record batcher: records leave a
 * worker in batches (every BATCH_MS or BATCH_RECORDS, never one message per record), with a bound
 * on batches in flight past which records are dropped and counted instead of piling up in memory.
 * No sockets, no policy: plain data and timers.
 */
import type { LoadedConfig } from '../config/load.js';
import type { AccessRecord } from '../proxy/records.js';

/** Longest a record waits in a worker before it is sent to the primary. */
export const BATCH_MS = 50;
/** Records per message: one JSON message of ~100 KiB instead of 256 small ones. */
export const BATCH_RECORDS = 256;
/**
 * Batches sent but not yet written to the channel. Normally 0–1; a primary that stalls lets them
 * pile up in the worker's memory, so past this (~32k records, ~13 MB) records are dropped and counted.
 */
export const MAX_IN_FLIGHT = 128;

export interface ConnectionStats {
  connections: number;
  tunnels: number;
}

/** The policy in force, as the primary validated it; workers build their runtime from it. */
export interface PolicyMessage {
  kind: 'policy';
  loaded: LoadedConfig;
  version: number;
}

export type PrimaryMessage =
  | {
      kind: 'start';
      host: string;
      port: number;
      /** The engine the primary started with: a reload never changes it, nor does a replacement. */
      engine: 'fast' | 'node';
      loaded: LoadedConfig;
      version: number;
    }
  | PolicyMessage
  /** Drain open connections, send the last records, then exit. */
  | { kind: 'stop' };

export type WorkerMessage =
  /** The worker listens for messages now (anything sent before would be lost). */
  | { kind: 'ready' }
  | { kind: 'listening'; port: number; address: string; family: string }
  | { kind: 'failed'; error: string; code: string | undefined }
  | { kind: 'records'; records: AccessRecord[]; dropped: number; stats: ConnectionStats }
  | { kind: 'stats'; stats: ConnectionStats }
  /** Sent after the drain and the last batch: every record of this worker has been sent. */
  | { kind: 'drained' };

const isObject = (m: unknown): m is Record<string, unknown> => typeof m === 'object' && m !== null;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isStats(v: unknown): v is ConnectionStats {
  return isObject(v) && isNumber(v.connections) && isNumber(v.tunnels);
}

/** A message from a worker, or null when it is not one of ours (cluster's own, or malformed). */
export function parseWorkerMessage(m: unknown): WorkerMessage | null {
  if (!isObject(m)) return null;
  switch (m.kind) {
    case 'listening':
      return isNumber(m.port) && typeof m.address === 'string' && typeof m.family === 'string'
        ? (m as WorkerMessage)
        : null;
    case 'failed':
      return typeof m.error === 'string' ? (m as WorkerMessage) : null;
    case 'records':
      return Array.isArray(m.records) && isNumber(m.dropped) && isStats(m.stats)
        ? (m as WorkerMessage)
        : null;
    case 'stats':
      return isStats(m.stats) ? (m as WorkerMessage) : null;
    case 'ready':
    case 'drained':
      return { kind: m.kind };
    default:
      return null;
  }
}

/** A message from the primary, or null when it is not one of ours. */
export function parsePrimaryMessage(m: unknown): PrimaryMessage | null {
  if (!isObject(m)) return null;
  switch (m.kind) {
    case 'start':
      return typeof m.host === 'string' &&
        isNumber(m.port) &&
        (m.engine === 'fast' || m.engine === 'node') &&
        isObject(m.loaded) &&
        isNumber(m.version)
        ? (m as PrimaryMessage)
        : null;
    case 'policy':
      return isObject(m.loaded) && isNumber(m.version) ? (m as PrimaryMessage) : null;
    case 'stop':
      return { kind: 'stop' };
    default:
      return null;
  }
}

/** Sends one message; `done` runs once it is written to the channel (or failed). */
export type Send = (m: WorkerMessage, done: (err: Error | null) => void) => void;

export interface RecordBatcher {
  add(r: AccessRecord): void;
  /** Send what is queued now; resolves when every batch sent so far has been written. */
  flush(): Promise<void>;
  /** Records dropped so far because too many batches were in flight. */
  readonly dropped: number;
}

export interface RecordBatcherOptions {
  send: Send;
  stats(): ConnectionStats;
  batchMs?: number;
  batchRecords?: number;
  maxInFlight?: number;
}

export function createRecordBatcher(o: RecordBatcherOptions): RecordBatcher {
  const batchMs = o.batchMs ?? BATCH_MS;
  const batchRecords = o.batchRecords ?? BATCH_RECORDS;
  const maxInFlight = o.maxInFlight ?? MAX_IN_FLIGHT;
  let queue: AccessRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let dropped = 0;
  /** Drops not yet reported to the primary. */
  let unreported = 0;
  const idle = new Set<() => void>();

  const sendNow = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0 && unreported === 0) return;
    const records = queue;
    queue = [];
    if (inFlight >= maxInFlight) {
      dropped += records.length;
      unreported += records.length;
      return;
    }
    inFlight += 1;
    const msg: WorkerMessage = { kind: 'records', records, dropped: unreported, stats: o.stats() };
    unreported = 0;
    o.send(msg, () => {
      inFlight -= 1;
      if (inFlight === 0) for (const fn of idle) fn();
    });
  };

  return {
    get dropped() {
      return dropped;
    },
    add(r) {
      queue.push(r);
      if (queue.length >= batchRecords) sendNow();
      else if (timer === undefined) {
        timer = setTimeout(sendNow, batchMs);
        timer.unref();
      }
    },
    flush() {
      sendNow();
      if (inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          idle.delete(done);
          resolve();
        };
        idle.add(done);
      });
    },
  };
}
