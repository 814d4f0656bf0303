/**
 * @module proxy/runtime
 * What the proxy is handed: one immutable `ProxyRuntime` per policy version (policy, resolver,
 * address guard and settings together, so a reload swaps them atomically), read once per request.
 * The proxy depends only on these shapes, never on config loading.
 */
import type { Policy } from '../policy/compile.js';

export interface ResolvedAddresses {
  readonly addresses: readonly string[];
  readonly ms: number;
}

/** Resolves an allowed name. Implemented by net's resolver; tests inject their own. */
export interface ResolverLike {
  resolve(host: string): Promise<ResolvedAddresses>;
  /** The answer when no DNS question is needed, at once; null when `resolve()` must ask. */
  known(host: string): ResolvedAddresses | null;
}

/** Says whether an address may be dialled (public, or in an explicitly allowed range). */
export interface AddressGuardLike {
  check(ip: string): { ok: true } | { ok: false; class: string };
}

export interface ProxySettings {
  readonly denyMessage: string;
  readonly tls: {
    readonly requireSni: boolean;
    readonly requireTls: boolean;
    readonly peekTimeoutMs: number;
    readonly maxClientHelloBytes: number;
  };
  readonly limits: {
    readonly maxHeaderBytes: number;
    readonly maxUrlLength: number;
    readonly maxHeaders: number;
    readonly maxConnections: number;
    readonly maxConnectionsPerClient: number;
    /** Open CONNECT tunnels and WebSocket relays (each admitted one counts from before its dial). */
    readonly maxTunnels: number;
    readonly maxTunnelsPerClient: number;
  };
  readonly timeouts: {
    readonly headersMs: number;
    readonly idleMs: number;
    readonly connectMs: number;
    readonly upstreamHeadersMs: number;
    readonly tunnelIdleMs: number;
    readonly drainMs: number;
  };
}

export interface ProxyRuntime {
  readonly policy: Policy;
  readonly resolver: ResolverLike;
  readonly guard: AddressGuardLike;
  readonly settings: ProxySettings;
}
