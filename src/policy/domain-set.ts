/**
 * @module policy/domain-set
 * A set of allowlist entries with squid `dstdomain` semantics, compiled once per policy:
 * `example.com` is that host only, `.example.com` the domain and every subdomain, `*.example.com`
 * subdomains only; IP addresses and CIDRs match IP-literal targets. A lookup costs one map probe per
 * label of the host. Pure; entries are assumed validated (config does that) and canonical.
 */
import type { AllowEntry } from './types.js';
import { createCidrList, type CidrList } from './cidr.js';

export interface DomainSet {
  /** The entry matching a canonical host name, or null. */
  matchHost(host: string): AllowEntry | null;
  /** The entry whose address or range contains an IP-literal target, or null. */
  matchIp(ip: string): AllowEntry | null;
  readonly size: number;
}

const IP_LIKE = /^[\d.]+(\/\d+)?$|:/;

export function createDomainSet(entries: readonly AllowEntry[]): DomainSet {
  const exact = new Map<string, AllowEntry>();
  const withSubdomains = new Map<string, AllowEntry>();
  const subdomainsOnly = new Map<string, AllowEntry>();
  const ipEntries: AllowEntry[] = [];
  for (const entry of entries) {
    const v = entry.value;
    if (IP_LIKE.test(v)) ipEntries.push(entry);
    else if (v.startsWith('*.')) setFirst(subdomainsOnly, v.slice(2), entry);
    else if (v.startsWith('.')) setFirst(withSubdomains, v.slice(1), entry);
    else setFirst(exact, v, entry);
  }
  const ipList: CidrList = createCidrList(ipEntries.map((e) => e.value));
  const ipByValue = new Map<string, AllowEntry>();
  for (const entry of ipEntries) setFirst(ipByValue, entry.value, entry);

  return {
    size: entries.length,
    matchHost(host) {
      const hit = exact.get(host) ?? withSubdomains.get(host);
      if (hit) return hit;
      // Walk up the labels: a.b.example.com → b.example.com → example.com → com.
      for (let i = host.indexOf('.'); i !== -1; i = host.indexOf('.', i + 1)) {
        const parent = host.slice(i + 1);
        const m = withSubdomains.get(parent) ?? subdomainsOnly.get(parent);
        if (m) return m;
      }
      return null;
    },
    matchIp(ip) {
      const value = ipList.find(ip);
      return value === null ? null : (ipByValue.get(value) ?? null);
    },
  };
}

function setFirst(map: Map<string, AllowEntry>, key: string, entry: AllowEntry): void {
  if (!map.has(key)) map.set(key, entry);
}
