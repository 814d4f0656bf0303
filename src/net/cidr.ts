/**
 * @module net/cidr
 * Lists of address ranges (`10.0.0.0/8`, `fd00::/8`, or a bare address meaning /32 or /128), parsed
 * strictly once and matched many times on the hot path. An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`, how dual-stack sockets show IPv4 peers) matches the IPv4 ranges as IPv4, as
 * `ipaddr.process()` would read it. Pure; knows nothing of what the ranges mean.
 */
import { NET_ERRORS, NetError, quote } from './errors.js';
import { formatIp, ipv4Mask, ipv6PrefixEqual, parseIp, unwrapMapped, type ParsedIp } from './ip.js';

export interface V4Range {
  readonly text: string;
  readonly base: number;
  readonly mask: number;
  readonly bits: number;
}
export interface V6Range {
  readonly text: string;
  readonly parts: readonly number[];
  readonly bits: number;
}

/** A parsed range list. Build it with `parseCidrList()`; query it with `cidrListContains()`. */
export interface CidrList {
  /** The entries as written, in order. */
  readonly entries: readonly string[];
  readonly v4: readonly V4Range[];
  readonly v6: readonly V6Range[];
}

const PREFIX_DIGITS = /^(?:0|[1-9]\d{0,2})$/;

function badCidr(value: string, why: string): NetError {
  return new NetError(NET_ERRORS.badCidr, `invalid address range ${quote(value)}: ${why}`);
}

function parseBits(value: string, text: string | undefined, max: number): number {
  if (text === undefined) return max;
  if (!PREFIX_DIGITS.test(text)) throw badCidr(value, `prefix length must be a decimal number 0–${max}`);
  const bits = Number(text);
  if (bits > max) throw badCidr(value, `prefix length must be at most ${max}`);
  return bits;
}

function hostBitsSet(ip: ParsedIp, bits: number): ParsedIp | null {
  if (ip.v === 4) {
    const base = (ip.n & ipv4Mask(bits)) >>> 0;
    return base === ip.n ? null : { v: 4, n: base };
  }
  const parts = ip.parts.map((p, i) => {
    const left = Math.min(16, Math.max(0, bits - i * 16));
    return p & ((0xffff << (16 - left)) & 0xffff);
  });
  return ipv6PrefixEqual(parts, ip.parts, 128) ? null : { v: 6, parts };
}

/** Parse one range. Throws `CORDON_NET_BAD_CIDR` naming the value (and the network it meant). */
function parseOne(value: string): V4Range | V6Range {
  const pieces = value.split('/');
  if (pieces.length > 2) throw badCidr(value, 'more than one "/"');
  const ip = parseIp(pieces[0] ?? '');
  if (ip === null) {
    throw badCidr(value, 'write an address like 10.0.0.5 or fd00::5, or a CIDR like 10.0.0.0/8');
  }
  const bits = parseBits(value, pieces[1], ip.v === 4 ? 32 : 128);
  const network = hostBitsSet(ip, bits);
  if (network !== null) {
    throw badCidr(value, `host bits are set; did you mean ${formatIp(network)}/${bits}?`);
  }
  // ::ffff:10.0.0.0/104 is 10.0.0.0/8.
  const v4 = ip.v === 6 && bits >= 96 ? unwrapMapped(ip) : ip;
  if (v4.v === 4) {
    const v4Bits = ip.v === 6 ? bits - 96 : bits;
    return { text: value, base: v4.n, mask: ipv4Mask(v4Bits), bits: v4Bits };
  }
  return { text: value, parts: v4.parts, bits };
}

/** Parse a list of ranges once. Throws `CORDON_NET_BAD_CIDR` on the first bad entry. */
export function parseCidrList(list: readonly string[]): CidrList {
  const v4: V4Range[] = [];
  const v6: V6Range[] = [];
  for (const value of list) {
    const range = parseOne(value);
    if ('mask' in range) v4.push(range);
    else v6.push(range);
  }
  return Object.freeze({ entries: Object.freeze([...list]), v4, v6 });
}

/** The first range (as written) containing an already parsed address, or null. */
export function cidrListFindParsed(list: CidrList, ip: ParsedIp): string | null {
  const unwrapped = unwrapMapped(ip);
  if (unwrapped.v === 4) {
    for (const r of list.v4) if ((unwrapped.n & r.mask) >>> 0 === r.base) return r.text;
  }
  if (ip.v === 6) {
    for (const r of list.v6) if (ipv6PrefixEqual(ip.parts, r.parts, r.bits)) return r.text;
  }
  return null;
}

/** The first range (as written) containing `ip`, or null (also for anything that is not an address). */
export function cidrListFind(list: CidrList, ip: string): string | null {
  const parsed = parseIp(ip);
  return parsed === null ? null : cidrListFindParsed(list, parsed);
}

/** Whether any range of the list contains `ip`. */
export function cidrListContains(list: CidrList, ip: string): boolean {
  return cidrListFind(list, ip) !== null;
}
