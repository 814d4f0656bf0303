/**
 * @module net/ip
 * Strict parsing of textual IP addresses into numbers, shared by the address classifier and the
 * CIDR lists. Only the forms a resolver or `canonicalHost()` produce are addresses here: dotted-quad
 * IPv4 without leading zeros, and IPv6 without a zone ID. Every looser spelling (`0x7f.1`,
 * `010.0.0.1`, `fe80::1%eth0`) is not an address, so callers fail closed on it.
 * Pure; no I/O, no policy.
 */
import ipaddr from 'ipaddr.js';

/** An address as numbers: IPv4 as an unsigned 32-bit value, IPv6 as eight 16-bit groups. */
export type ParsedIp =
  { readonly v: 4; readonly n: number } | { readonly v: 6; readonly parts: readonly number[] };

/** Parse strict dotted-quad IPv4 into an unsigned 32-bit number; -1 if it is not one. No regex. */
export function parseIpv4(s: string): number {
  const len = s.length;
  if (len < 7 || len > 15) return -1;
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
      continue;
    }
    if (c < 0x30 || c > 0x39) return -1;
    // A leading zero is octal to inet_aton(3) and decimal to others: not an address here.
    if (digits > 0 && octet === 0) return -1;
    octet = octet * 10 + (c - 0x30);
    digits++;
    if (octet > 255) return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + octet;
}

/** Parse an address strictly (see the module header); null if it is not one. */
export function parseIp(s: string): ParsedIp | null {
  const n = parseIpv4(s);
  if (n >= 0) return { v: 4, n };
  const parts = parseIpv6(s);
  return parts === null ? null : { v: 6, parts };
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/**
 * Parse RFC 4291 §2.2 text (groups of 1–4 hex digits, at most one "::", optionally a dotted-quad
 * tail) into eight groups; null for anything else, zone IDs included. A char loop, not a regex:
 * this runs for every resolved address.
 */
export function parseIpv6(s: string): number[] | null {
  const parts = [0, 0, 0, 0, 0, 0, 0, 0];
  const len = s.length;
  let i = 0;
  let n = 0;
  let gap = -1;
  if (len > 45) return null;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < len) {
    const start = i;
    let value = 0;
    for (let h = hexValue(s.charCodeAt(i)); h >= 0 && i < len; h = hexValue(s.charCodeAt(++i)))
      value = value * 16 + h;
    if (s.charCodeAt(i) === 0x2e) {
      const v4 = parseIpv4(s.slice(start));
      if (v4 < 0 || n > 6) return null;
      parts[n++] = v4 >>> 16;
      parts[n++] = v4 & 0xffff;
      break;
    }
    if (i === start || i - start > 4 || n === 8) return null;
    parts[n++] = value;
    if (i === len) break;
    if (s.charCodeAt(i) !== 0x3a || i + 1 === len) return null;
    i++;
    if (s.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return null;
      gap = n;
      i++;
    }
  }
  if (gap < 0) return n === 8 ? parts : null;
  if (n > 7) return null;
  // Move the groups after "::" to the end and zero the gap.
  const tail = n - gap;
  for (let k = tail - 1; k >= 0; k--) parts[8 - tail + k] = parts[gap + k] ?? 0;
  for (let k = gap; k < 8 - tail; k++) parts[k] = 0;
  return parts;
}

/** `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2) as IPv4; any other address unchanged. Like `ipaddr.process`. */
export function unwrapMapped(ip: ParsedIp): ParsedIp {
  if (ip.v === 4) return ip;
  const p = ip.parts;
  if (p[0] !== 0 || p[1] !== 0 || p[2] !== 0 || p[3] !== 0 || p[4] !== 0 || p[5] !== 0xffff) return ip;
  return { v: 4, n: (p[6] ?? 0) * 65536 + (p[7] ?? 0) };
}

/** The netmask of an IPv4 prefix length, as an unsigned 32-bit number. */
export function ipv4Mask(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** Whether the first `bits` bits of two IPv6 addresses (as 16-bit groups) are equal. */
export function ipv6PrefixEqual(a: readonly number[], b: readonly number[], bits: number): boolean {
  let left = bits;
  for (let i = 0; i < 8 && left > 0; i++) {
    const take = left >= 16 ? 16 : left;
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
    left -= take;
  }
  return true;
}

/** A stable key for an address, equal for every spelling of it (used for sets of addresses). */
export function ipKey(ip: ParsedIp): string {
  return ip.v === 4 ? `4${ip.n}` : `6${String.fromCharCode(...ip.parts)}`;
}

/** Dotted-quad text of an unsigned 32-bit IPv4 number. */
export function formatIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Canonical text (RFC 5952) of a parsed address. */
export function formatIp(ip: ParsedIp): string {
  return ip.v === 4 ? formatIpv4(ip.n) : new ipaddr.IPv6([...ip.parts]).toRFC5952String();
}
