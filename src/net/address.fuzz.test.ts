import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { CordonError } from '../errors.js';
import { cidrListContains, classifyAddress, createAddressGuard, parseCidrList } from './address.js';
import { parseIp } from './ip.js';

const anyIp = fc.oneof(fc.ipV4(), fc.ipV6());

// ipaddr.js reads `::a.b.c.d` as IPv4-mapped (`::ffff:a.b.c.d`); RFC 4291 §2.5.5.1 (and inet_pton)
// read it as IPv4-compatible, `::` then the 32 bits. We follow the RFC, so ipaddr.js is no oracle there.
const COMPATIBLE_FORM = /^::(?:\d+\.){3}\d+(?:\/\d+)?$/;

void test('classifyAddress never throws and is invalid exactly for non-strict addresses', () => {
  const input = fc.oneof(
    anyIp,
    fc.ipV4Extended(),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary' }),
  );
  fc.assert(
    fc.property(input, (s) => {
      const cls = classifyAddress(s);
      const strict = isIP(s) !== 0 && !s.includes('%');
      assert.equal(cls === 'invalid', !strict, s);
    }),
    { numRuns: 20000 },
  );
});

void test('parseIp reads IPv6 groups exactly as ipaddr.js does', () => {
  fc.assert(
    fc.property(fc.ipV6(), (s) => {
      const parsed = parseIp(s);
      assert.ok(parsed?.v === 6, s);
      const expected = ipaddr.IPv6.parse(s).parts;
      if (COMPATIBLE_FORM.test(s)) expected[5] = 0;
      assert.deepEqual(parsed.parts, expected, s);
    }),
    { numRuns: 5000 },
  );
});

void test('every IPv4 address inside IPv6 (mapped, compatible, NAT64, 6to4) is ipv4-embedded', () => {
  fc.assert(
    fc.property(fc.ipV4(), (v4) => {
      const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number);
      const hex = `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
      for (const ip of [
        `::ffff:${v4}`,
        `::ffff:${hex}`,
        `64:ff9b::${v4}`,
        `2002:${hex}::1`,
        `2001:0:1:2::${hex}`,
      ]) {
        assert.equal(classifyAddress(ip), 'ipv4-embedded', ip);
      }
      if (v4 !== '0.0.0.0' && v4 !== '0.0.0.1') assert.equal(classifyAddress(`::${v4}`), 'ipv4-embedded', v4);
    }),
    { numRuns: 2000 },
  );
});

function networkOf(base: string, bits: number): string {
  const text = `${base}/${bits}`;
  return (ipaddr.IPv4.isValidFourPartDecimal(base) ? ipaddr.IPv4 : ipaddr.IPv6)
    .networkAddressFromCIDR(text)
    .toString();
}

void test('CIDR matching agrees with ipaddr.js (IPv4-mapped addresses matched as IPv4)', () => {
  const range = fc
    .oneof(
      fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
      fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })),
    )
    .chain(([base, bits]) => fc.constantFrom(`${base}/${bits}`, `${networkOf(base, bits)}/${bits}`));
  fc.assert(
    fc.property(range, anyIp, (text, ip) => {
      fc.pre(!COMPATIBLE_FORM.test(text) && !COMPATIBLE_FORM.test(ip));
      const [base = '', bits = ''] = text.split('/');
      let list;
      try {
        list = parseCidrList([text]);
      } catch (e: unknown) {
        assert.ok(e instanceof CordonError && e.code === 'CORDON_NET_BAD_CIDR');
        assert.notEqual(
          networkOf(base, Number(bits)),
          ipaddr.parse(base).toString(),
          `${text}: only for host bits`,
        );
        return;
      }
      let net = ipaddr.parseCIDR(text);
      if (net[0] instanceof ipaddr.IPv6 && net[1] >= 96 && net[0].isIPv4MappedAddress()) {
        net = [net[0].toIPv4Address(), net[1] - 96];
      }
      const inRange = (a: ipaddr.IPv4 | ipaddr.IPv6): boolean => a.kind() === net[0].kind() && a.match(net);
      const expected = inRange(ipaddr.process(ip)) || inRange(ipaddr.parse(ip));
      assert.equal(cidrListContains(list, ip), expected, `${ip} in ${text}`);
    }),
    { numRuns: 5000 },
  );
});

void test('a guard never allows a non-public address without an allowPrivate range', () => {
  const guard = createAddressGuard({ allowPrivate: [] });
  fc.assert(
    fc.property(anyIp, (ip) => {
      const r = guard.check(ip);
      assert.equal(r.ok, classifyAddress(ip) === 'public', ip);
    }),
    { numRuns: 5000 },
  );
});
