/**
 * @module config/ranges
 * Address ranges for lint: parse an address or CIDR (ipaddr.js) and test containment. Pure.
 */
import ipaddr from 'ipaddr.js';

/** An address range: network and prefix length. */
export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parse `10.0.0.0/8`, `::1/128` or a bare address; null when it is neither. */
export function rangeOf(value: string): Range | null {
  try {
    if (value.includes('/')) return ipaddr.parseCIDR(value);
    const a = ipaddr.parse(value);
    return [a, a.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

export function rangesOf(values: readonly string[]): Range[] {
  return values.map(rangeOf).filter((r): r is Range => r !== null);
}

/** True when `inner` lies entirely within `outer`. */
export const contains = (outer: Range, inner: Range): boolean =>
  outer[0].kind() === inner[0].kind() && outer[1] <= inner[1] && inner[0].match(outer[0], outer[1]);
