/**
 * @module net/dns-cache
 * DNS answers kept for as long as their TTL says, capped at `maxSeconds`, so that a busy name is not
 * asked again for every request (as squid's ipcache does). Concurrent lookups of one name share one
 * query. Failures are never kept, and neither is an answer with TTL 0 (a name that changes on every
 * query is asked every time). Only addresses are kept: the proxy classifies every address on every
 * use, exactly as for a fresh answer, so a cached address gets no trust a fresh one would not.
 * Bounded in entries; the oldest go first. Used by net/resolver for names it asks DNS about.
 */

export interface DnsCacheOptions {
  /** Longest time an answer is kept, in seconds, whatever its TTL; 0 turns the cache off. */
  readonly maxSeconds: number;
  /** Most names kept (default 10,000). */
  readonly maxEntries?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

/** What DNS said about a name. */
export interface DnsAnswer {
  readonly addresses: string[];
  /** The smallest TTL of the answers, in seconds. */
  readonly ttlSeconds: number;
}

export interface DnsCache {
  /** The kept answer for `host`, or `query()`'s (shared with lookups of `host` already waiting on it). */
  lookup(host: string, query: () => Promise<DnsAnswer>): Promise<{ addresses: string[]; cached: boolean }>;
  /** The kept, unexpired answer for `host` now, or null: no waiting, no question sent. */
  peek(host: string): string[] | null;
}

interface Entry {
  readonly addresses: string[];
  readonly expires: number;
}

export function createDnsCache(o: DnsCacheOptions): DnsCache {
  if (o.maxSeconds <= 0) {
    return { lookup: async (_host, query) => ({ ...(await query()), cached: false }), peek: () => null };
  }
  const now = o.now ?? Date.now;
  const maxEntries = o.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<{ addresses: string[]; cached: boolean }>>();

  const keep = (host: string, a: DnsAnswer): void => {
    const ttl = Math.min(a.ttlSeconds, o.maxSeconds);
    if (!(ttl > 0)) return;
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(host, { addresses: a.addresses, expires: now() + ttl * 1000 });
  };

  const peek = (host: string): string[] | null => {
    const hit = entries.get(host);
    if (hit === undefined) return null;
    if (hit.expires > now()) return hit.addresses;
    entries.delete(host);
    return null;
  };

  return {
    peek,
    lookup(host, query) {
      const kept = peek(host);
      if (kept !== null) return Promise.resolve({ addresses: kept, cached: true });
      const pending = inFlight.get(host);
      if (pending !== undefined) return pending;
      const p = query().then(
        (a) => {
          inFlight.delete(host);
          keep(host, a);
          return { addresses: a.addresses, cached: false };
        },
        (e: unknown) => {
          inFlight.delete(host);
          throw e;
        },
      );
      inFlight.set(host, p);
      return p;
    },
  };
}
