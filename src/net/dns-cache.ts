/**
 * @module net/dns-cache
 * DNS answers kept for as long as their TTL says, capped at `maxSeconds`, so that a busy name is not
 * asked again for every request (as squid's ipcache does). Concurrent lookups of one name share one
 * query. Only answers from DNS are kept, never failures, and an answer with TTL 0 is never kept (a
 * name that changes on every query is asked every time). The cache returns addresses only: the
 * caller classifies every address on every use, exactly as for a fresh answer, so a cached address
 * gets no trust a fresh one would not. Bounded in entries; the oldest go first.
 */
import type { HostResolver, ResolveResult } from './resolver.js';

export interface DnsCacheOptions {
  /** Longest time an answer is kept, in seconds, whatever its TTL; 0 turns the cache off. */
  readonly maxSeconds: number;
  /** Most names kept (default 10,000). */
  readonly maxEntries?: number;
  /** Clock in milliseconds (tests). */
  readonly now?: () => number;
}

interface Entry {
  readonly addresses: string[];
  readonly expires: number;
}

export function withDnsCache(inner: HostResolver, o: DnsCacheOptions): HostResolver {
  if (o.maxSeconds <= 0) return inner;
  const now = o.now ?? Date.now;
  const maxEntries = o.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<ResolveResult>>();

  const keep = (host: string, r: ResolveResult): void => {
    const ttl = Math.min(r.ttlSeconds ?? 0, o.maxSeconds);
    if (r.source !== 'dns' || !(ttl > 0)) return;
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (oldest.done !== true) entries.delete(oldest.value);
    }
    entries.set(host, { addresses: r.addresses, expires: now() + ttl * 1000 });
  };

  return {
    resolve(host) {
      const hit = entries.get(host);
      if (hit !== undefined) {
        if (hit.expires > now()) return Promise.resolve({ addresses: hit.addresses, source: 'cache', ms: 0 });
        entries.delete(host);
      }
      const pending = inFlight.get(host);
      if (pending !== undefined) return pending;
      const p = inner.resolve(host).then(
        (r) => {
          inFlight.delete(host);
          keep(host, r);
          return r;
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
