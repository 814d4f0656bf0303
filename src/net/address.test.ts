import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { CordonError } from '../errors.js';
import {
  cidrListContains,
  cidrListFind,
  classifyAddress,
  createAddressGuard,
  localInterfaceAddresses,
  parseCidrList,
  type AddressClass,
} from './address.js';

const CLASSES: [string, AddressClass][] = [
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['223.255.255.255', 'public'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'public'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['100.128.0.1', 'public'],
  ['169.254.1.1', 'link-local'],
  ['169.254.169.254', 'metadata'],
  ['169.254.170.2', 'metadata'],
  ['168.63.129.16', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['192.0.0.192', 'metadata'],
  ['192.0.0.1', 'reserved'],
  ['192.0.2.1', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.9', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['2606:4700::1111', 'public'],
  ['2a00:1450:4001::200e', 'public'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['::ffff:8.8.8.8', 'ipv4-embedded'],
  ['::ffff:127.0.0.1', 'ipv4-embedded'],
  ['::ffff:7f00:1', 'ipv4-embedded'],
  ['::ffff:0:7f00:1', 'ipv4-embedded'],
  ['::127.0.0.1', 'ipv4-embedded'],
  ['::8.8.8.8', 'ipv4-embedded'],
  ['64:ff9b::a9fe:a9fe', 'ipv4-embedded'],
  ['64:ff9b:1::1', 'ipv4-embedded'],
  ['2002:7f00:1::', 'ipv4-embedded'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'ipv4-embedded'],
  ['100::1', 'reserved'],
  ['2001:db8::1', 'reserved'],
  ['2001:2::1', 'reserved'],
  ['3fff::1', 'reserved'],
  ['fc00::1', 'ula'],
  ['fd12:3456::1', 'ula'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'reserved'],
  ['ff02::1', 'multicast'],
  ['4000::1', 'reserved'],
  ['1::', 'reserved'],
  ['', 'invalid'],
  ['localhost', 'invalid'],
  ['0x7f.1', 'invalid'],
  ['127.1', 'invalid'],
  ['2130706433', 'invalid'],
  ['010.0.0.1', 'invalid'],
  ['127.0.0.01', 'invalid'],
  ['256.0.0.1', 'invalid'],
  ['1.2.3.4.', 'invalid'],
  [' 1.2.3.4', 'invalid'],
  ['[::1]', 'invalid'],
  ['fe80::1%eth0', 'invalid'],
  ['::ffff:0x7f.0.0.1', 'invalid'],
  ['1:2:3:4:5:6:7:8:9', 'invalid'],
];

void test('classifyAddress', async (t) => {
  for (const [ip, expected] of CLASSES) {
    await t.test(`${JSON.stringify(ip)} is ${expected}`, () => assert.equal(classifyAddress(ip), expected));
  }
});

void test('a guard allows public addresses and refuses every other class', () => {
  const guard = createAddressGuard({ allowPrivate: [] });
  for (const [ip, cls] of CLASSES) {
    const expected = cls === 'public' ? { ok: true } : { ok: false, class: cls };
    assert.deepEqual(guard.check(ip), expected, ip);
  }
});

void test('allowPrivate opens exactly its ranges, embedded IPv4 only when the range covers it', () => {
  const guard = createAddressGuard({
    allowPrivate: ['10.1.0.0/16', 'fd00::/8', '169.254.169.254', '64:ff9b::/96'],
  });
  assert.deepEqual(guard.check('10.1.2.3'), { ok: true, allowedBy: '10.1.0.0/16' });
  assert.deepEqual(guard.check('10.2.0.1'), { ok: false, class: 'private' });
  assert.deepEqual(guard.check('fd12::1'), { ok: true, allowedBy: 'fd00::/8' });
  assert.deepEqual(guard.check('fc00::1'), { ok: false, class: 'ula' });
  assert.deepEqual(guard.check('169.254.169.254'), { ok: true, allowedBy: '169.254.169.254' });
  assert.deepEqual(guard.check('::ffff:10.1.0.9'), { ok: true, allowedBy: '10.1.0.0/16' });
  assert.deepEqual(guard.check('::ffff:10.9.0.9'), { ok: false, class: 'ipv4-embedded' });
  assert.deepEqual(guard.check('64:ff9b::808:808'), { ok: true, allowedBy: '64:ff9b::/96' });
  assert.deepEqual(guard.check('2002:a01:203::'), { ok: false, class: 'ipv4-embedded' });
  assert.deepEqual(guard.check('127.0.0.1'), { ok: false, class: 'loopback' });
});

void test('self addresses are refused even when public, unless named exactly', () => {
  const guard = createAddressGuard({
    allowPrivate: ['10.0.0.0/8', '203.0.113.5/32'],
    selfAddresses: ['8.8.4.4', '10.0.0.5', '203.0.113.5', '2606:4700::1'],
  });
  assert.deepEqual(guard.check('8.8.4.4'), { ok: false, class: 'self' });
  assert.deepEqual(guard.check('::ffff:8.8.4.4'), { ok: false, class: 'self' });
  assert.deepEqual(guard.check('10.0.0.5'), { ok: false, class: 'self' });
  assert.deepEqual(guard.check('10.0.0.6'), { ok: true, allowedBy: '10.0.0.0/8' });
  assert.deepEqual(guard.check('203.0.113.5'), { ok: true, allowedBy: '203.0.113.5/32' });
  assert.deepEqual(guard.check('2606:4700:0:0::1'), { ok: false, class: 'self' });
});

void test('localInterfaceAddresses lists this host, loopback included', () => {
  const addrs = localInterfaceAddresses();
  assert.ok(addrs.includes('127.0.0.1'));
  for (const a of addrs) assert.notEqual(isIP(a), 0, a);
  assert.equal(new Set(addrs).size, addrs.length);
  const guard = createAddressGuard({ allowPrivate: [], selfAddresses: addrs });
  assert.equal(guard.check('127.0.0.1').ok, false);
});

void test('parseCidrList matches IPv4, IPv6 and IPv4-mapped addresses', () => {
  const list = parseCidrList([
    '10.0.0.0/8',
    '192.168.1.7',
    '::ffff:172.16.0.0/108',
    '2001:db8::/32',
    '0.0.0.0/0',
  ]);
  assert.equal(cidrListFind(list, '10.255.0.1'), '10.0.0.0/8');
  assert.equal(cidrListFind(list, '::ffff:10.0.0.1'), '10.0.0.0/8');
  assert.equal(cidrListFind(list, '192.168.1.7'), '192.168.1.7');
  assert.equal(cidrListFind(list, '172.16.9.9'), '::ffff:172.16.0.0/108');
  assert.equal(cidrListFind(list, '2001:db8::5'), '2001:db8::/32');
  assert.equal(cidrListFind(list, '1.2.3.4'), '0.0.0.0/0');
  assert.equal(cidrListContains(list, '2001:db9::5'), false);
  assert.equal(cidrListContains(list, 'not an ip'), false);
  assert.equal(cidrListContains(parseCidrList([]), '1.2.3.4'), false);
  assert.equal(cidrListContains(parseCidrList(['::/0']), '::ffff:1.2.3.4'), true);
  // ::1.2.3.4 is IPv4-compatible (RFC 4291 §2.5.5.1), not mapped: it is not 1.2.3.4.
  assert.equal(cidrListContains(parseCidrList(['1.2.3.0/24']), '::1.2.3.4'), false);
  assert.equal(cidrListContains(parseCidrList(['::102:300/120']), '::1.2.3.4'), true);
});

void test('parseCidrList refuses anything loose with a coded error naming the value', async (t) => {
  const cases: [string, RegExp][] = [
    ['10.0.0.1/8', /did you mean 10\.0\.0\.0\/8/],
    ['fd00::1/8', /did you mean fd00::\/8/],
    ['10.0.0.0/33', /at most 32/],
    ['::/129', /at most 128/],
    ['10.0.0.0/08', /decimal/],
    ['10.0.0.0/', /decimal/],
    ['10.0.0.0/8/8', /more than one/],
    ['10/8', /write an address/],
    ['010.0.0.0/8', /write an address/],
    ['fe80::%eth0/64', /write an address/],
    ['', /write an address/],
    ['example.com', /write an address/],
  ];
  for (const [value, message] of cases) {
    await t.test(value, () => {
      assert.throws(
        () => parseCidrList(['8.8.8.8', value]),
        (e: unknown) =>
          e instanceof CordonError &&
          e.code === 'CORDON_NET_BAD_CIDR' &&
          e.message.includes(JSON.stringify(value)) &&
          message.test(e.message),
      );
    });
  }
  assert.throws(() => createAddressGuard({ allowPrivate: ['nope'] }), { code: 'CORDON_NET_BAD_CIDR' });
  assert.throws(() => createAddressGuard({ allowPrivate: [], selfAddresses: ['x'] }), {
    code: 'CORDON_NET_BAD_CIDR',
  });
});
