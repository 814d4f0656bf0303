/**
 * @module audit/store-checkpoint
 * WAL checkpoints on a worker thread, run only while there is something to checkpoint. A checkpoint
 * copies the write-ahead log into the database and fsyncs: the only disk wait in WAL mode with
 * `synchronous = NORMAL`. The store's own connection turns automatic checkpoints off and calls
 * `wrote()` after each write; the first write starts a worker that runs a passive checkpoint (never
 * blocks the writer) on its own connection every `intervalMs`, so the event loop that serves the
 * proxy never waits on an fsync. Once `idleMs` pass with no write and the log fully folded in, the
 * worker stops (a worker thread holds about 11 MiB); the next write starts another, at most once a
 * minute after one failed (a database it cannot open is reported, not retried on every write). The
 * worker is plain JavaScript evaluated from a string, so it runs the same under tsx and from dist/.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { timeout: 1000 });
db.pragma('synchronous = NORMAL');
const run = () => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    const folded = !r || (r.busy === 0 && r.log === r.checkpointed);
    parentPort.postMessage({ type: 'checkpoint', folded });
  } catch (e) {
    parentPort.postMessage({ type: 'error', message: String(e && e.message || e) });
  }
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointerOptions {
  /** How often the running worker checkpoints. */
  intervalMs: number;
  /** Stop the worker after this long with no write and nothing left in the log. */
  idleMs: number;
  /** After a worker failed (it could not open the database), wait this long before starting another. */
  retryMs?: number;
  onError(message: string): void;
}

export interface Checkpointer {
  /** Checkpoints completed so far. */
  readonly count: number;
  /** Whether a worker is running now. */
  readonly running: boolean;
  /** Workers started so far. */
  readonly started: number;
  /** The store wrote to the log: start a worker if none runs. */
  wrote(): void;
  /** Stop the worker, if one runs, and close its connection; no worker starts after this. */
  stop(): Promise<void>;
}

type Message = { type: 'checkpoint'; folded: boolean } | { type: 'error'; message: string };

export function createCheckpointer(path: string, opts: CheckpointerOptions): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  let worker: Worker | null = null;
  const exits = new Set<Promise<void>>();
  let count = 0;
  let started = 0;
  let stopped = false;
  let writes = 0;
  let idleSince = 0;
  let failedAt = Number.NEGATIVE_INFINITY;
  const retryMs = opts.retryMs ?? 60_000;

  const retire = (w: Worker): void => {
    if (worker === w) worker = null;
    // Unref'd while idle so it never keeps the process alive; held while we wait for it to go.
    w.ref();
    w.postMessage('stop');
  };

  const start = (): void => {
    const w = new Worker(SOURCE, { eval: true, workerData: { path, module, intervalMs: opts.intervalMs } });
    w.unref();
    worker = w;
    started += 1;
    idleSince = Date.now();
    w.on('message', (m: Message) => {
      if (m.type === 'error') return opts.onError(m.message);
      count += 1;
      if (worker !== w) return;
      const now = Date.now();
      if (writes > 0 || !m.folded) idleSince = now;
      writes = 0;
      if (now - idleSince >= opts.idleMs) retire(w);
    });
    w.on('error', (e: Error) => {
      failedAt = Date.now();
      opts.onError(e.message);
    });
    const exited = new Promise<void>((resolve) =>
      w.once('exit', () => {
        if (worker === w) worker = null;
        exits.delete(exited);
        resolve();
      }),
    );
    exits.add(exited);
  };

  return {
    get count() {
      return count;
    },
    get running() {
      return worker !== null;
    },
    get started() {
      return started;
    },
    wrote() {
      writes += 1;
      if (worker === null && !stopped && Date.now() - failedAt >= retryMs) start();
    },
    async stop() {
      stopped = true;
      if (worker !== null) retire(worker);
      await Promise.all([...exits]);
    },
  };
}
