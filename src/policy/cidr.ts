/**
 * @module policy/cidr
 * Address ranges (CIDR lists) parsed once and matched many times, with ipaddr.js. IPv4-mapped IPv6
 * addresses (`::ffff:10.0.0.1`, how dual-stack sockets report IPv4 clients) match as IPv4.
 * Pure; no I/O.
 */
import ipaddr from 'ipaddr.js';
import { CordonError } from '../errors.js';

export const CIDR_ERRORS = { invalid: 'CORDON_POLICY_INVALID_CIDR' } as const;

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A parsed list of ranges; `contains()` is what the hot path calls. */
export interface CidrList {
  readonly entries: readonly string[];
  contains(ip: string): boolean;
  /** The entry (as written) that contains `ip`, or null. */
  find(ip: string): string | null;
}

/** Parse `10.0.0.0/8`, `::1/128` or a bare address (a /32 or /128). Throws a coded error. */
export function parseRange(value: string): Range {
  try {
    if (value.includes('/')) {
      const [addr, bits] = ipaddr.parseCIDR(value);
      // ::ffff:10.0.0.0/104 is 10.0.0.0/8: match it as IPv4, as parseAddress() unwraps clients.
      if (addr.kind() === 'ipv6' && bits >= 96) {
        const v6 = addr as ipaddr.IPv6;
        if (v6.isIPv4MappedAddress()) return [v6.toIPv4Address(), bits - 96];
      }
      return [addr, bits];
    }
    const addr = ipaddr.process(value);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch (e: unknown) {
    throw new CordonError(
      CIDR_ERRORS.invalid,
      `invalid address range ${JSON.stringify(value)}: write an address like 10.0.0.5 or a CIDR like 10.0.0.0/8`,
      { cause: e },
    );
  }
}

/** Parse an address into ipaddr's form, IPv4-mapped IPv6 unwrapped to IPv4; null if not an address. */
export function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(ip);
  } catch {
    return null;
  }
}

export function createCidrList(values: readonly string[]): CidrList {
  const ranges = values.map((v) => [v, parseRange(v)] as const);
  const find = (ip: string): string | null => {
    const addr = parseAddress(ip);
    if (addr === null) return null;
    const kind = addr.kind();
    for (const [value, [net, bits]] of ranges) {
      if (net.kind() === kind && addr.match(net, bits)) return value;
    }
    return null;
  };
  return { entries: values, find, contains: (ip) => find(ip) !== null };
}
