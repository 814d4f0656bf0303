/**
 * @module cluster/errors
 * The stable error codes of the cluster mode (`workers` > 1).
 */
export const CLUSTER_ERRORS = {
  /** A worker could not listen (address in use, permission) or died before it did. */
  workerStart: 'CORDON_CLUSTER_WORKER_START',
  /** `--workers` is not a whole number from 1 to the maximum, or `auto`. */
  badWorkers: 'CORDON_CLUSTER_BAD_WORKERS',
} as const;
