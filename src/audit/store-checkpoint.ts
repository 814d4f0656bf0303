/**
 * @module audit/store-checkpoint
 * WAL checkpoints on a worker thread. A checkpoint copies the write-ahead log into the database and
 * fsyncs: the only disk wait in WAL mode with `synchronous = NORMAL`. The store's own connection
 * turns automatic checkpoints off, and this worker runs a passive one (never blocks the writer) on
 * its own connection every `intervalMs`, so the event loop that serves the proxy never waits on an
 * fsync. The worker is plain JavaScript evaluated from a string, so it runs the same under tsx and
 * from dist/.
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
    parentPort.postMessage({ type: 'checkpoint', log: r ? r.log : 0, done: r ? r.checkpointed : 0 });
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

export interface Checkpointer {
  /** Checkpoints completed so far. */
  readonly count: number;
  /** Stop the worker and close its connection. */
  stop(): Promise<void>;
}

export function startCheckpointer(
  path: string,
  intervalMs: number,
  onError: (message: string) => void,
  onCheckpoint?: () => void,
): Checkpointer {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { path, module, intervalMs } });
  worker.unref();
  let count = 0;
  worker.on('message', (m: { type: string; message?: string }) => {
    if (m.type === 'checkpoint') {
      count += 1;
      onCheckpoint?.();
    } else onError(m.message ?? 'unknown error');
  });
  worker.on('error', (e: Error) => onError(e.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    get count() {
      return count;
    },
    stop() {
      // Unref'd while idle so it never keeps the process alive; held while we wait for it to go.
      worker.ref();
      worker.postMessage('stop');
      return exited;
    },
  };
}
