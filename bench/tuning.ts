/**
 * @module bench/tuning
 * What a scenario's ProxyTuning means for each proxy: Cordon's `limits` block, squid's
 * `max_filedescriptors`, and the `prlimit` prefix that starts a proxy under a small descriptor
 * limit. Pure: builds config text and argv, starts nothing.
 */
import type { ProxyTuning } from './types.js';

/** Many-tunnel runs: 9,000 tunnels take 18,000 descriptors, under the 20,000 hard limit here. */
export const MANY_CONNECTIONS = 20_000;
/** Cordon's tunnel caps for those runs: above the 9,000 of scenario (e), below the descriptor limit's half. */
export const MANY_TUNNELS = 9_800;
// squid's own default in the benchmark: enough for 1,000 idle tunnels (two fds each) with room to spare.
const SQUID_DEFAULT_FD = 16_384;

/**
 * The `limits:` value of cordon.yaml (flow style). By default the built-in caps apply; for many
 * connections every cap is raised so the 9,000 tunnels from one client address (127.0.0.1) fit.
 */
export function cordonLimits(t: ProxyTuning = {}): string {
  if (t.manyConnections !== true) return '{}';
  return (
    `{ maxConnections: ${MANY_CONNECTIONS}, maxConnectionsPerClient: ${MANY_CONNECTIONS}, ` +
    `maxTunnels: ${MANY_TUNNELS}, maxTunnelsPerClient: ${MANY_TUNNELS} }`
  );
}

/** squid's `max_filedescriptors`: the `prlimit` value when set (squid cannot go above it anyway). */
export function squidMaxFd(t: ProxyTuning = {}): number {
  if (t.nofile !== undefined) return t.nofile;
  return t.manyConnections === true ? MANY_CONNECTIONS : SQUID_DEFAULT_FD;
}

/** argv prefix that runs the proxy under a soft and hard open-file limit of `nofile`, or nothing. */
export function prlimitPrefix(t: ProxyTuning = {}): string[] {
  return t.nofile === undefined ? [] : ['prlimit', `--nofile=${t.nofile}:${t.nofile}`];
}
