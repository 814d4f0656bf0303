/**
 * @module cluster/restart
 * When to start a replacement for a worker that died: at once the first time, then with doubling
 * delays while it keeps dying soon after starting (a crash loop must not fork hundreds of processes
 * a second), back to no delay once a worker has stayed up for a while. Timers only.
 */

/** First replacement delay; doubles per quick death, up to MAX_DELAY_MS. */
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 30_000;
/** A worker up this long counts as healthy: its next death starts the backoff from the beginning. */
const STABLE_MS = 30_000;

export interface RestartPolicy {
  /** A worker in this slot is up (listening). */
  started(slot: number): void;
  /** A worker in this slot died; returns how long to wait before its replacement. */
  exited(slot: number): number;
  schedule(delayMs: number, fn: () => void): void;
  cancelAll(): void;
}

export function createRestartPolicy(now: () => number = Date.now): RestartPolicy {
  const startedAt = new Map<number, number>();
  const failures = new Map<number, number>();
  const timers = new Set<NodeJS.Timeout>();
  return {
    started(slot) {
      startedAt.set(slot, now());
    },
    exited(slot) {
      const up = now() - (startedAt.get(slot) ?? now());
      const n = up >= STABLE_MS ? 1 : (failures.get(slot) ?? 0) + 1;
      failures.set(slot, n);
      startedAt.delete(slot);
      return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (n - 1));
    },
    schedule(delayMs, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, delayMs);
      timers.add(t);
    },
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
