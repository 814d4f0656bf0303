/**
 * @module audit/store
 * The audit store: every decision in SQLite, written in batches off the request path. `add()` only
 * pushes to an in-memory queue (the proxy never waits on the disk); a timer or a full batch flushes
 * it in one transaction, in chunks so the event loop keeps turning. The queue is bounded: past
 * `maxQueue` records are dropped, counted and logged, never blocking traffic. `close()` flushes
 * everything (a graceful stop loses nothing); a crash (kill -9) loses at most what was queued since
 * the last flush (`flushMs`). Retention prunes raw decisions by age and count. Must not import the
 * proxy's runtime code.
 */
import type { AccessRecord } from '../proxy/records.js';
import { CordonError, errorMessage } from '../errors.js';
import { AUDIT_ERRORS } from './errors.js';
import { openDatabase, type Database } from './sqlite.js';
import { migrate } from './store-schema.js';
import { createBatchWriter } from './store-batch.js';
import { createCheckpointer, type Checkpointer } from './store-checkpoint.js';

export interface AuditLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AuditStoreOptions {
  /** Database file (created with its folder), or `:memory:`. */
  path: string;
  /** Raw decisions older than this are pruned (default 30 days). */
  maxAgeDays?: number;
  /** At most this many raw decisions are kept, oldest pruned first (default 5,000,000). */
  maxDecisions?: number;
  /**
   * Write when this many records wait (default 250); also the most one transaction holds, so one
   * write never keeps the event loop for long (a backlog goes out one chunk per turn).
   */
  batchSize?: number;
  /** Write at most this long after a record arrives (default 200 ms): the most a crash can lose. */
  flushMs?: number;
  /** Records waiting beyond this are dropped and counted (default 200,000). */
  maxQueue?: number;
  /** How often retention runs (default 60 s). */
  pruneMs?: number;
  /** How often the checkpoint worker folds the WAL into the database (default 1 s). */
  checkpointMs?: number;
  /** The checkpoint worker stops after this long with no write, and starts again on the next (default 60 s). */
  checkpointIdleMs?: number;
  logger?: AuditLogger;
  now?: () => number;
}

export interface AuditStoreStats {
  queued: number;
  written: number;
  dropped: number;
  flushes: number;
  /** WAL checkpoints done by the worker thread. */
  checkpoints: number;
  /** Whether the checkpoint worker runs now (only while there were recent writes). */
  checkpointing: boolean;
}

export interface AuditStore {
  /** Queue one record. Never blocks or throws; false when the queue was full and it was dropped. */
  add(record: AccessRecord): boolean;
  /** Write everything queued now; returns how many records were written. */
  flush(): number;
  /** Apply retention now; returns how many decisions were deleted. */
  prune(): number;
  stats(): AuditStoreStats;
  /** Called after each flush with the number of records written (for tests and metrics). */
  onFlush(fn: (written: number) => void): () => void;
  /** The database, for the query modules (reads, and the review/change-log writes). */
  readonly db: Database;
  /**
   * Flush and stop taking records (synchronously: nothing queued is lost even if the promise is not
   * awaited), then stop the checkpoint worker and close the database. Idempotent.
   */
  close(): Promise<void>;
}

/** The store's defaults; docs/admin.md quotes them (the crash bound is `flushMs`). */
export const AUDIT_STORE_DEFAULTS = {
  batchSize: 250,
  flushMs: 200,
  maxQueue: 200_000,
  checkpointIdleMs: 60_000,
} as const;

const DAY_MS = 86_400_000;
const PRUNE_CHUNK = 10_000;
const DROP_LOG_MS = 10_000;

export function createAuditStore(opts: AuditStoreOptions): AuditStore {
  const batchSize = opts.batchSize ?? AUDIT_STORE_DEFAULTS.batchSize;
  const flushMs = opts.flushMs ?? AUDIT_STORE_DEFAULTS.flushMs;
  const maxQueue = opts.maxQueue ?? AUDIT_STORE_DEFAULTS.maxQueue;
  const now = opts.now ?? Date.now;
  const db = openDatabase(opts.path);
  migrate(db);
  const writeBatch = createBatchWriter(db);
  let checkpointer: Checkpointer | null = null;
  if (opts.path !== ':memory:') {
    // The worker checkpoints; this connection must never fsync on the event loop.
    db.pragma('wal_autocheckpoint = 0');
    checkpointer = createCheckpointer(opts.path, {
      intervalMs: opts.checkpointMs ?? 1000,
      idleMs: opts.checkpointIdleMs ?? AUDIT_STORE_DEFAULTS.checkpointIdleMs,
      onError: (message) => opts.logger?.error({ err: message }, 'audit checkpoint failed'),
    });
  }
  let queue: AccessRecord[] = [];
  const stats = { written: 0, dropped: 0, flushes: 0 };
  const flushSubs = new Set<(n: number) => void>();
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let closed = false;
  let closing: Promise<void> | undefined;
  let dropsSinceLog = 0;
  let lastDropLog = 0;

  const writeChunk = (): number => {
    const chunk = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
    queue = chunk === queue ? [] : queue.slice(batchSize);
    if (chunk.length === 0) return 0;
    try {
      writeBatch(chunk);
      checkpointer?.wrote();
      stats.written += chunk.length;
      stats.flushes += 1;
    } catch (e: unknown) {
      // Disk full, database locked for too long: these records are lost; say so and carry on.
      stats.dropped += chunk.length;
      opts.logger?.error(
        { err: errorMessage(e), records: chunk.length },
        'audit write failed; records dropped',
      );
      return 0;
    }
    for (const fn of flushSubs) fn(chunk.length);
    return chunk.length;
  };

  // One chunk per turn of the event loop, so a large backlog never stalls the proxy for long.
  const drain = (): void => {
    immediate = undefined;
    clearTimeout(timer);
    timer = undefined;
    writeChunk();
    if (queue.length > 0) immediate = setImmediate(drain);
  };

  const schedule = (): void => {
    if (immediate !== undefined) return;
    if (queue.length >= batchSize) {
      immediate = setImmediate(drain);
    } else if (timer === undefined) {
      timer = setTimeout(drain, flushMs);
      timer.unref();
    }
  };

  const noteDrop = (): void => {
    stats.dropped += 1;
    dropsSinceLog += 1;
    const t = now();
    if (t - lastDropLog >= DROP_LOG_MS) {
      opts.logger?.warn({ dropped: dropsSinceLog, maxQueue }, 'audit store falling behind; records dropped');
      lastDropLog = t;
      dropsSinceLog = 0;
    }
  };

  const pruneStmts = {
    byAge: db.prepare(
      `DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions WHERE ts < ? LIMIT ${PRUNE_CHUNK})`,
    ),
    nth: db.prepare<{ seq: number }>('SELECT seq FROM decisions ORDER BY seq DESC LIMIT 1 OFFSET ?'),
    upTo: db.prepare(
      `DELETE FROM decisions WHERE seq IN (SELECT seq FROM decisions WHERE seq <= ? ORDER BY seq LIMIT ${PRUNE_CHUNK})`,
    ),
    traffic: db.prepare('DELETE FROM traffic WHERE minute < ?'),
  };
  const prune = (): number => {
    const cutoff = now() - (opts.maxAgeDays ?? 30) * DAY_MS;
    let deleted = 0;
    for (let n = PRUNE_CHUNK; n === PRUNE_CHUNK; deleted += n) n = pruneStmts.byAge.run(cutoff).changes;
    pruneStmts.traffic.run(Math.floor(cutoff / 60000));
    const last = pruneStmts.nth.get(opts.maxDecisions ?? 5_000_000);
    if (last !== undefined) {
      for (let n = PRUNE_CHUNK; n === PRUNE_CHUNK; deleted += n) n = pruneStmts.upTo.run(last.seq).changes;
    }
    return deleted;
  };
  const pruneTimer = setInterval(() => {
    try {
      prune();
    } catch (e: unknown) {
      opts.logger?.error({ err: errorMessage(e) }, 'audit retention failed');
    }
  }, opts.pruneMs ?? 60_000);
  pruneTimer.unref();

  const flush = (): number => {
    let n = 0;
    while (queue.length > 0) n += writeChunk();
    return n;
  };

  return {
    db,
    add(record) {
      if (closed) return false;
      if (queue.length >= maxQueue) {
        noteDrop();
        return false;
      }
      queue.push(record);
      schedule();
      return true;
    },
    flush() {
      if (closed) throw new CordonError(AUDIT_ERRORS.closed, 'the audit store is closed');
      return flush();
    },
    prune,
    stats: (): AuditStoreStats => ({
      ...stats,
      queued: queue.length,
      checkpoints: checkpointer?.count ?? 0,
      checkpointing: checkpointer?.running ?? false,
    }),
    onFlush(fn) {
      flushSubs.add(fn);
      return () => flushSubs.delete(fn);
    },
    close() {
      closing ??= (async () => {
        clearTimeout(timer);
        if (immediate !== undefined) clearImmediate(immediate);
        clearInterval(pruneTimer);
        // Stopped first, so the last flush starts no worker; the TRUNCATE below folds it in.
        const stopping = checkpointer?.stop();
        flush();
        closed = true;
        await stopping;
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
      })();
      return closing;
    },
  };
}
