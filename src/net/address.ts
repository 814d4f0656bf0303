/**
 * @module net/address
 * What kind of address a resolved IP is, and the guard that refuses every non-public one (and the
 * proxy's own addresses) unless an operator allowed its range. Embedded IPv4 (mapped, 6to4, NAT64,
 * Teredo …) is a class of its own and is never unwrapped to be judged as the IPv4 inside it.
 * Must not know policy rules or config files: the allowed ranges are handed in.
 */
import { networkInterfaces } from 'node:os';
import { cidrListFindParsed, parseCidrList, type CidrList } from './cidr.js';
import { NET_ERRORS, NetError, quote } from './errors.js';
import { ipKey, ipv6PrefixEqual, parseIp, unwrapMapped, type ParsedIp } from './ip.js';

export { cidrListContains, cidrListFind, parseCidrList } from './cidr.js';
export type { CidrList } from './cidr.js';

/**
 * The class of an address. `self` is only produced by an address guard (the proxy's own addresses);
 * `invalid` is anything that is not a strict address (see net/ip).
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'metadata'
  | 'ula'
  | 'multicast'
  | 'unspecified'
  | 'reserved'
  | 'ipv4-embedded'
  | 'self'
  | 'invalid';

/** One special-purpose range: `cidr` is of class `class` because of `why`. The first match wins. */
export interface SpecialRange {
  readonly cidr: string;
  readonly class: AddressClass;
  readonly why: string;
}

/** IPv4 special ranges, most specific first. Everything else is public. */
export const IPV4_SPECIAL_RANGES: readonly SpecialRange[] = [
  { cidr: '169.254.169.254/32', class: 'metadata', why: 'instance metadata: AWS, GCP, Azure, OpenStack, DO' },
  { cidr: '169.254.170.2/32', class: 'metadata', why: 'AWS ECS task metadata and credentials' },
  { cidr: '169.254.170.23/32', class: 'metadata', why: 'Amazon EKS Pod Identity agent (credentials)' },
  { cidr: '169.254.0.23/32', class: 'metadata', why: 'Tencent Cloud metadata' },
  {
    cidr: '168.63.129.16/32',
    class: 'metadata',
    why: 'Azure WireServer (platform agent, inside a public range)',
  },
  { cidr: '100.100.100.200/32', class: 'metadata', why: 'Alibaba Cloud ECS metadata' },
  { cidr: '192.0.0.192/32', class: 'metadata', why: 'Oracle Cloud legacy metadata' },
  {
    cidr: '0.0.0.0/32',
    class: 'unspecified',
    why: 'RFC 1122 §3.2.1.3 "this host"; Linux dials it as localhost',
  },
  { cidr: '0.0.0.0/8', class: 'reserved', why: 'RFC 1122 §3.2.1.3 "this network"' },
  { cidr: '127.0.0.0/8', class: 'loopback', why: 'RFC 1122 §3.2.1.3 loopback' },
  { cidr: '10.0.0.0/8', class: 'private', why: 'RFC 1918' },
  { cidr: '172.16.0.0/12', class: 'private', why: 'RFC 1918' },
  { cidr: '192.168.0.0/16', class: 'private', why: 'RFC 1918' },
  { cidr: '100.64.0.0/10', class: 'cgnat', why: 'RFC 6598 shared address space (carrier-grade NAT)' },
  { cidr: '169.254.0.0/16', class: 'link-local', why: 'RFC 3927 link-local' },
  { cidr: '192.0.0.0/24', class: 'reserved', why: 'RFC 6890 IETF protocol assignments' },
  { cidr: '192.0.2.0/24', class: 'reserved', why: 'RFC 5737 documentation (TEST-NET-1)' },
  { cidr: '198.51.100.0/24', class: 'reserved', why: 'RFC 5737 documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', class: 'reserved', why: 'RFC 5737 documentation (TEST-NET-3)' },
  { cidr: '198.18.0.0/15', class: 'reserved', why: 'RFC 2544 benchmarking' },
  { cidr: '192.88.99.0/24', class: 'reserved', why: 'RFC 7526 deprecated 6to4 relay anycast' },
  { cidr: '224.0.0.0/4', class: 'multicast', why: 'RFC 5771 multicast' },
  { cidr: '240.0.0.0/4', class: 'reserved', why: 'RFC 1112 class E, with 255.255.255.255 broadcast' },
];

/** IPv6 special ranges, most specific first. Outside them, 2000::/3 is public and the rest reserved. */
export const IPV6_SPECIAL_RANGES: readonly SpecialRange[] = [
  { cidr: 'fd00:ec2::254/128', class: 'metadata', why: 'AWS instance metadata over IPv6' },
  { cidr: 'fd00:ec2::23/128', class: 'metadata', why: 'Amazon EKS Pod Identity agent over IPv6' },
  { cidr: 'fd20:ce::254/128', class: 'metadata', why: 'GCP metadata server over IPv6' },
  { cidr: '::/128', class: 'unspecified', why: 'RFC 4291 §2.5.2' },
  { cidr: '::1/128', class: 'loopback', why: 'RFC 4291 §2.5.3' },
  { cidr: '::ffff:0:0/96', class: 'ipv4-embedded', why: 'RFC 4291 §2.5.5.2 IPv4-mapped' },
  { cidr: '::ffff:0:0:0/96', class: 'ipv4-embedded', why: 'RFC 6145 IPv4-translated (SIIT)' },
  { cidr: '::/96', class: 'ipv4-embedded', why: 'RFC 4291 §2.5.5.1 IPv4-compatible (deprecated)' },
  { cidr: '64:ff9b::/96', class: 'ipv4-embedded', why: 'RFC 6052 NAT64 well-known prefix' },
  { cidr: '64:ff9b:1::/48', class: 'ipv4-embedded', why: 'RFC 8215 local-use NAT64' },
  { cidr: '2002::/16', class: 'ipv4-embedded', why: 'RFC 3056 6to4' },
  { cidr: '2001::/32', class: 'ipv4-embedded', why: 'RFC 4380 Teredo' },
  { cidr: '100::/64', class: 'reserved', why: 'RFC 6666 discard-only' },
  { cidr: '2001:2::/48', class: 'reserved', why: 'RFC 5180 benchmarking' },
  { cidr: '2001:10::/28', class: 'reserved', why: 'RFC 4843 ORCHID (deprecated)' },
  { cidr: '2001:20::/28', class: 'reserved', why: 'RFC 7343 ORCHIDv2 (not routable)' },
  { cidr: '2001:db8::/32', class: 'reserved', why: 'RFC 3849 documentation' },
  { cidr: '3fff::/20', class: 'reserved', why: 'RFC 9637 documentation' },
  { cidr: 'fc00::/7', class: 'ula', why: 'RFC 4193 unique local' },
  { cidr: 'fe80::/10', class: 'link-local', why: 'RFC 4291 §2.5.6 link-local' },
  { cidr: 'fec0::/10', class: 'reserved', why: 'RFC 3879 deprecated site-local' },
  { cidr: 'ff00::/8', class: 'multicast', why: 'RFC 4291 §2.7 multicast' },
];

// Parsed once at load: the hot path only compares numbers.
const V4_TABLE = IPV4_SPECIAL_RANGES.flatMap((r) =>
  parseCidrList([r.cidr]).v4.map((p) => ({ base: p.base, mask: p.mask, cls: r.class })),
);
// Not through parseCidrList: that reads ::ffff:0:0/96 as IPv4 0.0.0.0/0, and here it must stay IPv6.
const V6_TABLE = IPV6_SPECIAL_RANGES.map((r) => {
  const [addr = '', bits = ''] = r.cidr.split('/');
  const ip = parseIp(addr);
  if (ip?.v !== 6) throw new Error(`built-in range ${r.cidr} is not IPv6`);
  return { parts: ip.parts, bits: Number(bits), cls: r.class };
});
const GLOBAL_UNICAST = [0x2000, 0, 0, 0, 0, 0, 0, 0]; // 2000::/3, RFC 4291 §2.4

/** Classify an already parsed address. */
export function classifyParsed(ip: ParsedIp): AddressClass {
  if (ip.v === 4) {
    for (const r of V4_TABLE) if ((ip.n & r.mask) >>> 0 === r.base) return r.cls;
    return 'public';
  }
  for (const r of V6_TABLE) if (ipv6PrefixEqual(ip.parts, r.parts, r.bits)) return r.cls;
  return ipv6PrefixEqual(ip.parts, GLOBAL_UNICAST, 3) ? 'public' : 'reserved';
}

/** Classify a textual address (strict forms only; anything else is `invalid`). Never `self`. */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseIp(ip);
  return parsed === null ? 'invalid' : classifyParsed(parsed);
}

export interface AddressGuardOptions {
  /** Ranges (CIDRs or single addresses) whose non-public addresses may be dialled. */
  readonly allowPrivate: readonly string[];
  /** The proxy's own addresses: refused even when public, unless allowPrivate names them as a /32 or /128. */
  readonly selfAddresses?: readonly string[];
}

export type AddressCheck = { ok: true; allowedBy?: string } | { ok: false; class: AddressClass };

export interface AddressGuard {
  /** Whether `ip` may be dialled; `allowedBy` names the allowPrivate entry that let a non-public one through. */
  check(ip: string): AddressCheck;
}

/** Keys of the allowPrivate entries that name one address (a /32 or /128), to the entry as written. */
function singleAddressEntries(allow: CidrList): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of allow.v4) if (r.bits === 32) out.set(ipKey({ v: 4, n: r.base }), r.text);
  for (const r of allow.v6) if (r.bits === 128) out.set(ipKey({ v: 6, parts: r.parts }), r.text);
  return out;
}

/**
 * Build the guard for resolved addresses. Ranges are parsed here, once; a bad one throws
 * `CORDON_NET_BAD_CIDR` naming it. A self address that is public-or-not is refused unless an
 * allowPrivate entry names exactly that address: a broad range (a VPC's 10.0.0.0/8) must not open
 * the proxy's own ports (the admin API) to its clients.
 */
export function createAddressGuard(options: AddressGuardOptions): AddressGuard {
  const allow = parseCidrList(options.allowPrivate);
  const exact = singleAddressEntries(allow);
  const self = new Set<string>();
  for (const addr of options.selfAddresses ?? []) {
    const parsed = parseIp(addr);
    if (parsed === null) throw new NetError(NET_ERRORS.badCidr, `invalid self address ${quote(addr)}`);
    self.add(ipKey(unwrapMapped(parsed)));
  }
  return {
    check(ip: string): AddressCheck {
      const parsed = parseIp(ip);
      if (parsed === null) return { ok: false, class: 'invalid' };
      const key = ipKey(unwrapMapped(parsed));
      if (self.has(key)) {
        const allowedBy = exact.get(key);
        return allowedBy === undefined ? { ok: false, class: 'self' } : { ok: true, allowedBy };
      }
      const cls = classifyParsed(parsed);
      if (cls === 'public') return { ok: true };
      const allowedBy = cidrListFindParsed(allow, parsed);
      return allowedBy === null ? { ok: false, class: cls } : { ok: true, allowedBy };
    },
  };
}

/** Every address of this host's interfaces (for `selfAddresses`), without zone IDs, deduplicated. */
export function localInterfaceAddresses(): string[] {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const addr = info.address.split('%')[0] ?? '';
      if (parseIp(addr) !== null) out.add(addr);
    }
  }
  return [...out];
}
