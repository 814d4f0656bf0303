/**
 * @module net/resolver
 * Name → addresses for names policy has already allowed: static hosts first, IP literals as
 * themselves, else A and AAAA in parallel through c-ares (`node:dns` Resolver), never the system's
 * getaddrinfo and never a reverse lookup. Errors are coded (not found / timeout / failed) so the
 * proxy can answer 502 with a reason. Must not classify or filter addresses (net/address does) and
 * must not know policy rules.
 */
import { Resolver } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import { canonicalHost } from '../policy/host.js';
import { errorCode } from '../errors.js';
import { parsePort } from './authority.js';
import { createDnsCache, type DnsAnswer, type DnsCacheOptions } from './dns-cache.js';
import { NET_ERRORS, NetError, quote } from './errors.js';
import { parseIp, parseIpv4 } from './ip.js';

export interface ResolverOptions {
  /** Canonical host name → one IP address; answered without DNS. */
  readonly hosts: Readonly<Record<string, string>>;
  /** DNS servers as `ip`, `ip:port` or `[v6]:port`; empty = the system's (resolv.conf). */
  readonly servers: readonly string[];
  /** Whole budget of one `resolve()` in milliseconds, both families included. */
  readonly timeoutMs: number;
  /** Attempts per server within the budget (c-ares `tries`); default 2. */
  readonly tries?: number;
  /** Put IPv4 addresses before IPv6 ones in the result. */
  readonly preferIpv4: boolean;
  /** Reuse DNS answers for their TTL (see dns-cache.ts); without it, DNS is asked every time. */
  readonly cache?: DnsCacheOptions;
}

export interface ResolveResult {
  /** Deduplicated, preferred family first. Never empty. Shared between answers: read only. */
  readonly addresses: readonly string[];
  readonly source: 'hosts' | 'dns' | 'literal' | 'cache';
  /** Time spent resolving, in milliseconds. */
  readonly ms: number;
}

export interface HostResolver {
  /** Resolve a canonical host (as `canonicalHost()` returns it). Throws `NetError` with a DNS code. */
  resolve(host: string): Promise<ResolveResult>;
  /**
   * The answer when no DNS question is needed (a hosts entry, an IP literal, a kept answer), at once
   * and without a promise; null when `resolve()` must ask. The same answer `resolve()` would give.
   */
  known(host: string): ResolveResult | null;
}

// c-ares codes (node:dns constants) that mean "this name has no such record".
const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/** Validate `ip`, `ip:port` or `[v6]:port` and return it in the form `Resolver.setServers()` takes. */
export function parseDnsServer(s: string): string {
  const bad = (): NetError =>
    new NetError(
      NET_ERRORS.badDnsServer,
      `invalid DNS server ${quote(s)}: write 10.0.0.2, 10.0.0.2:53 or [fd00::2]:53`,
    );
  const portOf = (text: string): number => {
    try {
      return parsePort(text);
    } catch {
      throw bad();
    }
  };
  if (s.startsWith('[')) {
    const close = s.indexOf(']:');
    const ip = parseIp(s.slice(1, close));
    if (close < 0 || ip === null || ip.v !== 6) throw bad();
    return `[${s.slice(1, close)}]:${portOf(s.slice(close + 2))}`;
  }
  if (parseIp(s) !== null) return s;
  const colon = s.indexOf(':');
  if (colon < 0 || parseIpv4(s.slice(0, colon)) < 0) throw bad();
  return `${s.slice(0, colon)}:${portOf(s.slice(colon + 1))}`;
}

function parseHosts(hosts: Readonly<Record<string, string>>): Map<string, ResolveResult> {
  const out = new Map<string, ResolveResult>();
  for (const [name, ip] of Object.entries(hosts)) {
    let canonical: string | undefined;
    try {
      const c = canonicalHost(name);
      canonical = c.isIp ? undefined : c.host;
    } catch {
      canonical = undefined;
    }
    if (canonical !== name) {
      throw new NetError(
        NET_ERRORS.badHostsEntry,
        `hosts entry ${quote(name)}: the name must be a canonical host name`,
      );
    }
    if (parseIp(ip) === null) {
      throw new NetError(
        NET_ERRORS.badHostsEntry,
        `hosts entry ${quote(name)}: ${quote(ip)} is not an IP address`,
      );
    }
    // One answer per entry, handed out as it is (callers only read it).
    out.set(name, Object.freeze({ addresses: Object.freeze([ip]), source: 'hosts', ms: 0 }));
  }
  return out;
}

type Outcome = { ok: true; addresses: string[]; ttl: number } | { ok: false; code: string };
type Answer = { address: string; ttl: number };

async function settle(query: () => Promise<Answer[]>): Promise<Outcome> {
  try {
    const answers = await query();
    let ttl = Infinity;
    for (const a of answers) ttl = Math.min(ttl, a.ttl);
    return { ok: true, addresses: answers.map((a) => a.address), ttl };
  } catch (e: unknown) {
    return { ok: false, code: errorCode(e) ?? 'EUNKNOWN' };
  }
}

/**
 * Both families, bounded by one deadline. A family still pending at the deadline counts as timed out;
 * whatever the other one found is still used.
 */
async function queryBoth(resolver: Resolver, host: string, timeoutMs: number): Promise<Outcome[]> {
  const timedOut: Outcome = { ok: false, code: 'ETIMEOUT' };
  const outcomes: Outcome[] = [timedOut, timedOut];
  const both = Promise.all([
    settle(() => resolver.resolve4(host, { ttl: true })).then((o) => (outcomes[0] = o)),
    settle(() => resolver.resolve6(host, { ttl: true })).then((o) => (outcomes[1] = o)),
  ]);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([both, deadline]);
  clearTimeout(timer);
  return [...outcomes];
}

function failure(host: string, outcomes: Outcome[]): NetError {
  const codes = outcomes.map((o) => (o.ok ? 'EMPTY' : o.code));
  const detail = `A: ${codes[0]}, AAAA: ${codes[1]}`;
  if (codes.every((c) => c === 'EMPTY' || NOT_FOUND_CODES.has(c))) {
    return new NetError(NET_ERRORS.dnsNotFound, `${quote(host)} has no address (${detail})`);
  }
  if (codes.includes('ETIMEOUT')) {
    return new NetError(NET_ERRORS.dnsTimeout, `DNS timed out for ${quote(host)} (${detail})`);
  }
  return new NetError(NET_ERRORS.dnsFailed, `DNS failed for ${quote(host)} (${detail})`);
}

/**
 * Build a resolver. Options are validated here (bad hosts entries, servers or timeouts throw coded
 * errors). Names go to DNS exactly as given: `resolve4`/`resolve6` are c-ares queries, which never
 * apply resolv.conf's `search` list (only getaddrinfo and `ares_search` do), so a single-label name
 * is never expanded into an internal one.
 */
export function createResolver(options: ResolverOptions): HostResolver {
  const tries = options.tries ?? 2;
  if (
    !Number.isInteger(options.timeoutMs) ||
    options.timeoutMs < 1 ||
    !Number.isInteger(tries) ||
    tries < 1
  ) {
    throw new NetError(NET_ERRORS.badOption, 'resolver timeoutMs and tries must be positive integers');
  }
  const hosts = parseHosts(options.hosts);
  const resolver = new Resolver({ timeout: Math.max(1, Math.floor(options.timeoutMs / tries)), tries });
  if (options.servers.length > 0) resolver.setServers(options.servers.map(parseDnsServer));
  const first = options.preferIpv4 ? 0 : 1;
  const cache = createDnsCache(options.cache ?? { maxSeconds: 0 });

  /** Both families from DNS, preferred first, with the smallest TTL of the answers. */
  const ask = async (host: string): Promise<DnsAnswer> => {
    const outcomes = await queryBoth(resolver, host, options.timeoutMs);
    const ordered = [outcomes[first], outcomes[1 - first]];
    const addresses = new Set<string>();
    let ttlSeconds = Infinity;
    for (const o of ordered) {
      if (o?.ok !== true) continue;
      for (const a of o.addresses) addresses.add(a);
      if (o.addresses.length > 0) ttlSeconds = Math.min(ttlSeconds, o.ttl);
    }
    if (addresses.size === 0) throw failure(host, outcomes);
    return { addresses: [...addresses], ttlSeconds };
  };

  const known = (host: string): ResolveResult | null => {
    const pinned = hosts.get(host);
    if (pinned !== undefined) return pinned;
    if (parseIp(host) !== null) return { addresses: [host], source: 'literal', ms: 0 };
    const kept = cache.peek(host);
    // No DNS time spent on a kept answer.
    return kept === null ? null : { addresses: kept, source: 'cache', ms: 0 };
  };

  return {
    known,
    async resolve(host: string): Promise<ResolveResult> {
      const now = known(host);
      if (now !== null) return now;
      if (host.length === 0) throw new NetError(NET_ERRORS.dnsFailed, 'cannot resolve an empty name');
      const start = performance.now();
      const got = await cache.lookup(host, () => ask(host));
      return {
        addresses: got.addresses,
        source: got.cached ? 'cache' : 'dns',
        ms: got.cached ? 0 : performance.now() - start,
      };
    },
  };
}
