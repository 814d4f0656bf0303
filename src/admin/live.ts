/**
 * @module admin/live
 * The live tail's fan-out: every record from the gateway goes to each open subscriber whose filter
 * it matches. Each subscriber has a bounded queue; a slow browser loses its oldest lines (counted),
 * never holding memory or the proxy.
 */
import type { AccessRecord } from '../proxy/records.js';

export interface LiveFilter {
  client?: string | undefined;
  host?: string | undefined;
  decision?: 'allow' | 'deny' | undefined;
}

export interface LiveSubscription {
  readonly closed: boolean;
  /** Resolves with the records queued since the last call (waits while there are none). */
  next(): Promise<{ records: AccessRecord[]; dropped: number }>;
  close(): void;
}

export interface LiveFeed {
  publish(r: AccessRecord): void;
  subscribe(filter: LiveFilter): LiveSubscription;
  /** End every subscription (the admin listener is closing). */
  closeAll(): void;
  readonly subscribers: number;
}

const MAX_QUEUE = 1000;

export function matches(f: LiveFilter, r: AccessRecord): boolean {
  return (
    (f.client === undefined || r.client === f.client) &&
    (f.host === undefined || r.host === f.host || r.host.endsWith(`.${f.host}`)) &&
    (f.decision === undefined || r.decision === f.decision)
  );
}

export function createLiveFeed(): LiveFeed {
  const subs = new Set<{ filter: LiveFilter; push(r: AccessRecord): void; close(): void }>();
  return {
    get subscribers() {
      return subs.size;
    },
    publish(r) {
      if (subs.size === 0) return;
      for (const s of subs) if (matches(s.filter, r)) s.push(r);
    },
    closeAll() {
      for (const s of subs) s.close();
    },
    subscribe(filter) {
      let queue: AccessRecord[] = [];
      let dropped = 0;
      let wake: (() => void) | undefined;
      let closed = false;
      const sub = {
        filter,
        push(r: AccessRecord) {
          if (queue.length >= MAX_QUEUE) {
            queue.shift();
            dropped += 1;
          }
          queue.push(r);
          wake?.();
        },
        close() {
          closed = true;
          subs.delete(sub);
          wake?.();
        },
      };
      subs.add(sub);
      return {
        get closed() {
          return closed;
        },
        async next() {
          while (queue.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          const out = { records: queue, dropped };
          queue = [];
          dropped = 0;
          return out;
        },
        close: () => sub.close(),
      };
    },
  };
}
