/**
 * @module config/squid-ports
 * Squid `port` ACLs (Safe_ports, SSL_ports) → explicit port lists for cordon, which lists ports one
 * by one. Small ranges are expanded; wide ones (squid's stock `1025-65535`) and the stock Safe_ports
 * entries for other protocols are dropped from plain-HTTP ports, each with a reason. Pure.
 */
import type { Acl, AclValue } from './squid-conf.js';

/** Ranges up to this many ports are expanded; wider ones are reported instead. */
export const MAX_EXPANDED_RANGE = 16;

/**
 * Squid's stock Safe_ports besides 80: ftp 21, https 443, gopher 70, wais 210, http-mgmt 280,
 * gss-http 488, filemaker 591, multiling-http 777. Not carried into `http.ports`: plain HTTP on
 * them is either another protocol or HTTPS (which cordon handles through https.ports).
 */
export const STOCK_SAFE_PORTS: ReadonlySet<number> = new Set([21, 443, 70, 210, 280, 488, 591, 777]);

/** A reason a port value was not carried over, tied to its acl line. */
export interface PortNote {
  readonly value: AclValue;
  readonly why: string;
}

function parseValue(v: string): [number, number] | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v);
  if (m === null) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo >= 1 && hi <= 65535 && lo <= hi ? [lo, hi] : null;
}

/** True when squid's acl matches port `p` (ranges included). */
export function portMatches(acl: Acl, p: number): boolean {
  return acl.values.some((v) => {
    const r = parseValue(v.value);
    return r !== null && p >= r[0] && p <= r[1];
  });
}

/** The acl's ports as an explicit list, with a note for every value that could not be listed. */
export function expandPorts(acl: Acl): { ports: number[]; notes: PortNote[] } {
  const ports = new Set<number>();
  const notes: PortNote[] = [];
  for (const v of acl.values) {
    const r = parseValue(v.value);
    if (r === null) notes.push({ value: v, why: `${v.value} is not a port or port range` });
    else if (r[1] - r[0] + 1 > MAX_EXPANDED_RANGE) {
      notes.push({
        value: v,
        why: `the range ${v.value} (${r[1] - r[0] + 1} ports) is too wide for an allowlist proxy; list the ports you need`,
      });
    } else for (let p = r[0]; p <= r[1]; p++) ports.add(p);
  }
  return { ports: [...ports].sort((a, b) => a - b), notes };
}

/**
 * Plain-HTTP ports from Safe_ports when the allow line names no port acl: 80 and any port the
 * admin added, not squid's stock entries for other protocols.
 */
export function httpPortsFromSafePorts(acl: Acl): { ports: number[]; notes: PortNote[] } {
  const { ports, notes } = expandPorts(acl);
  const kept: number[] = [];
  for (const p of ports) {
    if (!STOCK_SAFE_PORTS.has(p)) {
      kept.push(p);
      continue;
    }
    const value = acl.values.find((v) => v.value === String(p));
    if (value) {
      notes.push({
        value,
        why: `port ${p} is one of squid's stock Safe_ports for other protocols (or HTTPS); cordon forwards plain HTTP only on http.ports — add it there if you need it`,
      });
    }
  }
  return { ports: kept, notes };
}
