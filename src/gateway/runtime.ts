/**
 * @module gateway/runtime
 * Builds the proxy's immutable `ProxyRuntime` from a loaded config: compiled policy, resolver,
 * address guard and settings. Done once per policy version, never per request.
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

export function buildRuntime(loaded: LoadedConfig, version: number): ProxyRuntime {
  const c = loaded.config;
  return Object.freeze({
    policy: compilePolicy(loaded.policySpec, version),
    // A reload builds a new runtime, so it also starts with an empty DNS cache.
    resolver: createResolver({
      hosts: c.dns.hosts,
      servers: c.dns.servers,
      timeoutMs: c.dns.timeoutMs,
      preferIpv4: c.dns.preferIpv4,
      cache: { maxSeconds: c.dns.cacheSeconds },
    }),
    guard: createAddressGuard({ allowPrivate: c.dns.allowPrivate, selfAddresses: selfAddresses() }),
    settings: Object.freeze({
      denyMessage: c.deny.message,
      tls: c.tls,
      limits: c.limits,
      timeouts: c.timeouts,
    }),
  });
}
