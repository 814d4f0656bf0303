/**
 * @module cluster/workers
 * How many worker processes `cordon start` runs: `--workers` (a whole number or `auto`) over the
 * config's `workers`; `auto` is one per core the process may use (os.availableParallelism()).
 */
import { availableParallelism } from 'node:os';
import { MAX_WORKERS } from '../config/schema.js';
import { CordonError } from '../errors.js';
import { CLUSTER_ERRORS } from './errors.js';

export type WorkersSetting = number | 'auto';

/** Parse the `--workers` flag; throws a coded error naming the accepted values. */
export function parseWorkers(text: string): WorkersSetting {
  if (text === 'auto') return 'auto';
  const n = Number(text);
  if (/^\d+$/.test(text) && n >= 1 && n <= MAX_WORKERS) return n;
  throw new CordonError(
    CLUSTER_ERRORS.badWorkers,
    `cordon start: --workers ${JSON.stringify(text)} is not valid; use a whole number from 1 to ${MAX_WORKERS}, or auto`,
  );
}

/** The number of processes for a setting: `auto` is one per usable core. */
export function workerCount(setting: WorkersSetting): number {
  return setting === 'auto' ? Math.min(MAX_WORKERS, availableParallelism()) : setting;
}
