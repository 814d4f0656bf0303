/**
 * @module test/adversarial/netns
 * The adversarial suite's network namespace: one per run, carrying the proxy's address, the origin,
 * every canary address and a link that drops everything (for connect timeouts), with its own
 * resolv.conf (a search list). Addresses sit on `lo` rather than on a dummy interface: the dummy
 * module is missing from many CI kernels and containers, and `lo` carries them just as well.
 * Needs root and iproute2; creates nothing outside the namespace but `/etc/netns/<name>/`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import {
  BLACKHOLE_ADDR,
  CANARY_ADDRS,
  CLIENT_RANGES,
  ORIGIN_ADDR,
  PROXY_ADDR,
  RESOLV_CONF,
} from './world.js';

/** Why the suite cannot run here, or null when it can. */
export function cannotRun(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'creating a network namespace needs root (CI runs as root)';
  if (spawnSync('ip', ['-V']).status !== 0) return 'the `ip` command (iproute2) is missing';
  return null;
}

function ip(ns: string, args: string[]): void {
  execFileSync('ip', ['-n', ns, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Create and wire the namespace; returns its name. Tears down what it made if a step fails. */
export function createNamespace(): string {
  const ns = `cordon-adv-${process.pid}-${randomBytes(2).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    // `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc for the processes it starts.
    mkdirSync(`/etc/netns/${ns}`, { recursive: true });
    writeFileSync(`/etc/netns/${ns}/resolv.conf`, RESOLV_CONF);
    ip(ns, ['link', 'set', 'lo', 'up']);
    const local = new Set([...CANARY_ADDRS, PROXY_ADDR, ORIGIN_ADDR]);
    local.delete('127.0.0.1');
    local.delete('::1');
    for (const addr of local) {
      ip(
        ns,
        addr.includes(':')
          ? ['-6', 'addr', 'add', `${addr}/128`, 'dev', 'lo']
          : ['addr', 'add', `${addr}/32`, 'dev', 'lo'],
      );
    }
    for (const range of Object.values(CLIENT_RANGES)) ip(ns, ['route', 'add', 'local', range, 'dev', 'lo']);
    // A veth pair whose far end holds no address: SYNs sent to BLACKHOLE_ADDR vanish.
    ip(ns, ['link', 'add', 'advbh0', 'type', 'veth', 'peer', 'name', 'advbh1']);
    ip(ns, ['link', 'set', 'advbh0', 'up']);
    ip(ns, ['link', 'set', 'advbh1', 'up']);
    ip(ns, ['route', 'add', `${BLACKHOLE_ADDR}/32`, 'dev', 'advbh0']);
    ip(ns, [
      'neigh',
      'add',
      BLACKHOLE_ADDR,
      'lladdr',
      '02:00:00:00:00:99',
      'dev',
      'advbh0',
      'nud',
      'permanent',
    ]);
  } catch (e: unknown) {
    destroyNamespace(ns);
    throw e;
  }
  return ns;
}

/** Delete the namespace (its links and addresses go with it) and its /etc/netns folder. */
export function destroyNamespace(ns: string): void {
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  rmSync(`/etc/netns/${ns}`, { recursive: true, force: true });
}
