/**
 * @module gateway/runtime
 * Builds the proxy's immutable `ProxyRuntime` from a loaded config: compiled policy, resolver,
 * address guard and settings. Done once per policy version, never per request. A new version keeps
 * the previous one's resolver (and so its DNS cache) when the `dns` settings it is built from are
 * unchanged: addresses are checked by the new version's guard on every use either way.
 */
import type { LoadedConfig } from '../config/load.js';
import { createAddressGuard, localInterfaceAddresses } from '../net/address.js';
import { createResolver } from '../net/resolver.js';
import { compilePolicy } from '../policy/compile.js';
import type { ProxyRuntime } from '../proxy/runtime.js';

/** The proxy's own non-loopback addresses: a destination that is the proxy itself is refused. */
function selfAddresses(): string[] {
  return localInterfaceAddresses().filter((a) => !a.startsWith('127.') && a !== '::1');
}

/** What each resolver was built from, to keep it across versions whose `dns` settings match. */
const resolverSettings = new WeakMap<ProxyRuntime['resolver'], string>();

function resolverFor(dns: LoadedConfig['config']['dns'], previous?: ProxyRuntime): ProxyRuntime['resolver'] {
  const { hosts, servers, timeoutMs, preferIpv4, cacheSeconds } = dns;
  const key = JSON.stringify({ hosts, servers, timeoutMs, preferIpv4, cacheSeconds });
  if (previous !== undefined && resolverSettings.get(previous.resolver) === key) return previous.resolver;
  const resolver = createResolver({
    hosts,
    servers,
    timeoutMs,
    preferIpv4,
    cache: { maxSeconds: cacheSeconds },
  });
  resolverSettings.set(resolver, key);
  return resolver;
}

/** The runtime for `version`; pass the one in force so a reload keeps its DNS cache where it can. */
export function buildRuntime(loaded: LoadedConfig, version: number, previous?: ProxyRuntime): ProxyRuntime {
  const c = loaded.config;
  return Object.freeze({
    policy: compilePolicy(loaded.policySpec, version),
    resolver: resolverFor(c.dns, previous),
    guard: createAddressGuard({ allowPrivate: c.dns.allowPrivate, selfAddresses: selfAddresses() }),
    settings: Object.freeze({
      denyMessage: c.deny.message,
      tls: c.tls,
      limits: c.limits,
      timeouts: c.timeouts,
    }),
  });
}
