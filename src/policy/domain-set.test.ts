/**
 * @module policy/domain-set.test
 * Squid `dstdomain` semantics of `createDomainSet()` as tables: which entry (value and source) a
 * canonical host or IP literal matches, or none. Must not touch the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDomainSet } from './domain-set.js';
import type { AllowEntry } from './types.js';

/** Entries named by their position, so a case can say which one must win. */
function entries(...values: string[]): AllowEntry[] {
  return values.map((value, i) => ({ value, source: `test.txt:${i + 1}` }));
}

type HostRow = readonly [name: string, list: readonly string[], host: string, match: string | null];

const HOST_CASES: readonly HostRow[] = [
  // `example.com`: that host only.
  ['exact matches itself', ['example.com'], 'example.com', 'example.com'],
  ['exact does not match a subdomain', ['example.com'], 'www.example.com', null],
  ['exact does not match a suffix-sharing name', ['example.com'], 'badexample.com', null],
  ['exact does not match the parent', ['www.example.com'], 'example.com', null],
  ['exact does not match with a suffix added', ['example.com'], 'example.com.evil.test', null],
  // `.example.com`: the domain and every subdomain.
  ['dot matches the domain itself', ['.example.com'], 'example.com', '.example.com'],
  ['dot matches a subdomain', ['.example.com'], 'www.example.com', '.example.com'],
  ['dot matches a deep subdomain', ['.example.com'], 'a.b.example.com', '.example.com'],
  ['dot does not match a suffix-sharing name', ['.example.com'], 'badexample.com', null],
  ['dot does not match with a suffix added', ['.example.com'], 'example.com.evil.test', null],
  ['dot does not match the parent', ['.www.example.com'], 'example.com', null],
  ['dot does not match a sibling', ['.a.example.com'], 'b.example.com', null],
  // `*.example.com`: subdomains only.
  ['star matches a subdomain', ['*.example.com'], 'a.example.com', '*.example.com'],
  ['star matches a deep subdomain', ['*.example.com'], 'a.b.example.com', '*.example.com'],
  ['star does not match the domain itself', ['*.example.com'], 'example.com', null],
  ['star does not match a suffix-sharing name', ['*.example.com'], 'badexample.com', null],
  ['star does not match with a suffix added', ['*.example.com'], 'a.example.com.evil.test', null],
  // Combinations: the most specific entry names the rule.
  ['exact wins over dot for the host itself', ['.example.com', 'example.com'], 'example.com', 'example.com'],
  ['dot covers what exact does not', ['example.com', '.example.com'], 'www.example.com', '.example.com'],
  ['exact plus star covers both', ['example.com', '*.example.com'], 'example.com', 'example.com'],
  ['exact plus star, subdomain', ['example.com', '*.example.com'], 'a.example.com', '*.example.com'],
  ['deeper dot entry wins', ['.example.com', '.b.example.com'], 'a.b.example.com', '.b.example.com'],
  ['deeper star entry wins', ['.example.com', '*.b.example.com'], 'a.b.example.com', '*.b.example.com'],
  [
    'shallower entry when deeper misses',
    ['.example.com', '*.b.example.com'],
    'b.example.com',
    '.example.com',
  ],
  [
    'dot wins over star at the same level',
    ['*.example.com', '.example.com'],
    'a.example.com',
    '.example.com',
  ],
  ['unrelated entries do not match', ['example.org', '.example.net'], 'example.com', null],
  ['empty set matches nothing', [], 'example.com', null],
  // Host names never match IP entries (those are for IP literals).
  ['IP entry not matched by name lookup', ['10.1.2.3'], '10.1.2.3', null],
];

for (const [caseName, list, host, match] of HOST_CASES) {
  test(`matchHost: ${caseName}`, () => {
    const set = createDomainSet(entries(...list));
    assert.equal(set.matchHost(host)?.value ?? null, match);
  });
}

type IpRow = readonly [name: string, list: readonly string[], ip: string, match: string | null];

const IP_CASES: readonly IpRow[] = [
  ['IPv4 address matches itself', ['10.1.2.3'], '10.1.2.3', '10.1.2.3'],
  ['IPv4 address does not match a neighbour', ['10.1.2.3'], '10.1.2.4', null],
  ['IPv4 CIDR contains', ['10.0.0.0/8'], '10.200.0.1', '10.0.0.0/8'],
  ['IPv4 CIDR lower edge', ['10.0.0.0/8'], '10.0.0.0', '10.0.0.0/8'],
  ['IPv4 CIDR upper edge', ['10.0.0.0/8'], '10.255.255.255', '10.0.0.0/8'],
  ['IPv4 CIDR just outside', ['10.0.0.0/8'], '11.0.0.0', null],
  ['IPv6 CIDR contains', ['2001:db8::/32'], '2001:db8:1::5', '2001:db8::/32'],
  ['IPv6 CIDR just outside', ['2001:db8::/32'], '2001:db9::1', null],
  ['IPv6 address matches itself', ['2001:db8::1'], '2001:db8::1', '2001:db8::1'],
  ['IPv4-mapped target matches IPv4 CIDR', ['10.0.0.0/8'], '::ffff:a01:203', '10.0.0.0/8'],
  ['IPv4-mapped target matches IPv4 address', ['127.0.0.1'], '::ffff:7f00:1', '127.0.0.1'],
  ['IPv4-mapped entry matches IPv4 target', ['::ffff:10.0.0.0/104'], '10.9.9.9', '::ffff:10.0.0.0/104'],
  ['IPv4 target does not match IPv6 CIDR', ['2001:db8::/32'], '10.1.2.3', null],
  ['IPv6 target does not match IPv4 CIDR', ['0.0.0.0/0'], '2001:db8::1', null],
  ['first containing entry wins', ['10.1.2.3', '10.0.0.0/8'], '10.1.2.3', '10.1.2.3'],
  ['first containing entry wins (wide first)', ['10.0.0.0/8', '10.1.2.3'], '10.1.2.3', '10.0.0.0/8'],
  ['name entries never match an IP', ['.example.com', 'example.com'], '10.1.2.3', null],
  ['non-address target', ['10.0.0.0/8'], 'example.com', null],
];

for (const [caseName, list, ip, match] of IP_CASES) {
  test(`matchIp: ${caseName}`, () => {
    const set = createDomainSet(entries(...list));
    assert.equal(set.matchIp(ip)?.value ?? null, match);
  });
}

test('matchHost returns the entry with its source', () => {
  const set = createDomainSet(entries('example.org', '.example.com'));
  assert.deepEqual(set.matchHost('a.example.com'), { value: '.example.com', source: 'test.txt:2' });
});

test('matchIp returns the entry with its source', () => {
  const set = createDomainSet(entries('example.org', '10.0.0.0/8'));
  assert.deepEqual(set.matchIp('10.0.0.1'), { value: '10.0.0.0/8', source: 'test.txt:2' });
});

test('a duplicate name entry reports its first source', () => {
  const set = createDomainSet(entries('.example.com', '.example.com'));
  assert.equal(set.matchHost('example.com')?.source, 'test.txt:1');
});

test('a duplicate IP entry reports its first source', () => {
  const set = createDomainSet(entries('10.0.0.0/8', '10.0.0.0/8'));
  assert.equal(set.matchIp('10.0.0.1')?.source, 'test.txt:1');
});

test('size counts every entry, duplicates included', () => {
  assert.equal(createDomainSet(entries('a.test', '.a.test', '*.a.test', '10.0.0.0/8', 'a.test')).size, 5);
});
