import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createResolver, parseDnsServer, type ResolverOptions } from './resolver.js';
import { createTestDnsServer, type TestDnsServer } from './test-dns-server.js';

let dns: TestDnsServer;

before(async () => {
  dns = await createTestDnsServer({
    records: {
      'dual.test': ['93.184.216.34', '2606:2800:220:1::1', '93.184.216.34'],
      'v4.test': ['192.0.2.10'],
      'V6.Test.': ['2001:db8::10'],
      intranet: ['10.9.9.9'],
      'empty.test': [],
      'half.test': ['192.0.2.20', '2001:db8::20'],
    },
    failures: { 'slow.test': 'drop', 'broken.test': 'servfail', 'half.test': 'drop-aaaa' },
  });
});
after(() => dns.close());

function resolver(overrides: Partial<ResolverOptions> = {}): ReturnType<typeof createResolver> {
  return createResolver({
    hosts: {},
    servers: [`127.0.0.1:${dns.port}`],
    timeoutMs: 1000,
    preferIpv4: true,
    ...overrides,
  });
}

void test('A and AAAA in parallel, deduplicated, preferred family first', async () => {
  const v4first = await resolver().resolve('dual.test');
  assert.deepEqual(v4first.addresses, ['93.184.216.34', '2606:2800:220:1::1']);
  assert.equal(v4first.source, 'dns');
  assert.ok(v4first.ms >= 0 && v4first.ms < 1000);
  const v6first = await resolver({ preferIpv4: false }).resolve('dual.test');
  assert.deepEqual(v6first.addresses, ['2606:2800:220:1::1', '93.184.216.34']);
  assert.deepEqual((await resolver().resolve('v4.test')).addresses, ['192.0.2.10']);
  assert.deepEqual((await resolver().resolve('v6.test')).addresses, ['2001:db8::10']);
});

void test('a single-label name is queried exactly as given, never expanded by a search list', async () => {
  const before = dns.queries.length;
  const result = await resolver().resolve('intranet');
  assert.deepEqual(result.addresses, ['10.9.9.9']);
  const asked = dns.queries.slice(before);
  assert.deepEqual([...new Set(asked)], ['intranet']);
});

void test('only A and AAAA questions are ever sent (no reverse lookups)', async () => {
  await resolver().resolve('dual.test');
  await resolver().resolve('1.2.3.4');
  assert.ok(dns.questions.length > 0);
  for (const q of dns.questions) assert.ok(q.type === 1 || q.type === 28, `${q.name} type ${q.type}`);
  assert.ok(!dns.queries.some((n) => n.endsWith('.arpa')));
});

void test('static hosts and IP literals are answered without DNS', async () => {
  const r = resolver({ hosts: { 'pinned.test': '203.0.113.7', 'v6pinned.test': '2001:db8::7' } });
  const before = dns.queries.length;
  assert.deepEqual(await withoutMs(r.resolve('pinned.test')), {
    addresses: ['203.0.113.7'],
    source: 'hosts',
  });
  assert.deepEqual(await withoutMs(r.resolve('v6pinned.test')), {
    addresses: ['2001:db8::7'],
    source: 'hosts',
  });
  assert.deepEqual(await withoutMs(r.resolve('8.8.8.8')), { addresses: ['8.8.8.8'], source: 'literal' });
  assert.deepEqual(await withoutMs(r.resolve('::1')), { addresses: ['::1'], source: 'literal' });
  assert.equal(dns.queries.length, before);
});

void test('DNS failures are coded', async (t) => {
  const cases: [string, string][] = [
    ['missing.test', 'CORDON_NET_DNS_NOTFOUND'],
    ['empty.test', 'CORDON_NET_DNS_NOTFOUND'],
    ['broken.test', 'CORDON_NET_DNS_FAILED'],
    ['slow.test', 'CORDON_NET_DNS_TIMEOUT'],
    ['', 'CORDON_NET_DNS_FAILED'],
  ];
  for (const [host, code] of cases) {
    await t.test(host || '(empty)', async () => {
      await assert.rejects(resolver({ timeoutMs: 300 }).resolve(host), { name: 'NetError', code });
    });
  }
});

void test('the time budget holds even when the server never answers', async () => {
  const start = performance.now();
  await assert.rejects(resolver({ timeoutMs: 200, tries: 3 }).resolve('slow.test'), {
    code: 'CORDON_NET_DNS_TIMEOUT',
  });
  assert.ok(performance.now() - start < 1000);
});

void test('what one family found is used when the other times out', async () => {
  const result = await resolver({ timeoutMs: 200 }).resolve('half.test');
  assert.deepEqual(result.addresses, ['192.0.2.20']);
});

void test('options are validated at creation', () => {
  const bad: [Partial<ResolverOptions>, string][] = [
    [{ hosts: { 'Upper.test': '1.2.3.4' } }, 'CORDON_NET_BAD_HOSTS_ENTRY'],
    [{ hosts: { 'a.test.': '1.2.3.4' } }, 'CORDON_NET_BAD_HOSTS_ENTRY'],
    [{ hosts: { '1.2.3.4': '1.2.3.4' } }, 'CORDON_NET_BAD_HOSTS_ENTRY'],
    [{ hosts: { 'a.test': 'b.test' } }, 'CORDON_NET_BAD_HOSTS_ENTRY'],
    [{ hosts: { 'a.test': '0x7f.1' } }, 'CORDON_NET_BAD_HOSTS_ENTRY'],
    [{ servers: ['dns.test'] }, 'CORDON_NET_BAD_DNS_SERVER'],
    [{ servers: ['1.2.3.4:0'] }, 'CORDON_NET_BAD_DNS_SERVER'],
    [{ servers: ['[::1]53'] }, 'CORDON_NET_BAD_DNS_SERVER'],
    [{ timeoutMs: 0 }, 'CORDON_NET_BAD_OPTION'],
    [{ tries: 0 }, 'CORDON_NET_BAD_OPTION'],
  ];
  for (const [overrides, code] of bad)
    assert.throws(() => resolver(overrides), { code }, JSON.stringify(overrides));
});

void test('parseDnsServer accepts ip, ip:port and [v6]:port', () => {
  assert.equal(parseDnsServer('10.0.0.2'), '10.0.0.2');
  assert.equal(parseDnsServer('10.0.0.2:5353'), '10.0.0.2:5353');
  assert.equal(parseDnsServer('fd00::2'), 'fd00::2');
  assert.equal(parseDnsServer('[fd00::2]:53'), '[fd00::2]:53');
  for (const bad of [
    '',
    '[fd00::2]',
    '[10.0.0.2]:53',
    '10.0.0.2:',
    '10.0.0.2:053',
    'fe80::1%eth0',
    '[fd00::2]:x',
  ]) {
    assert.throws(() => parseDnsServer(bad), { code: 'CORDON_NET_BAD_DNS_SERVER' }, bad);
  }
});

type Answer = { addresses: readonly string[]; source: string; ms: number };
async function withoutMs(p: Promise<Answer> | Answer | null): Promise<object> {
  const got = await p;
  assert.ok(got !== null);
  const { addresses, source } = got;
  return { addresses, source };
}

void test('known() answers at once what needs no question, and null for what does', async () => {
  let clock = 1_000_000;
  const r = resolver({
    hosts: { 'pinned.test': '203.0.113.7' },
    cache: { maxSeconds: 60, now: () => clock },
  });
  const before = dns.queries.length;
  assert.deepEqual(await withoutMs(r.known('pinned.test')), { addresses: ['203.0.113.7'], source: 'hosts' });
  assert.deepEqual(await withoutMs(r.known('192.0.2.1')), { addresses: ['192.0.2.1'], source: 'literal' });
  assert.equal(r.known('v4.test'), null, 'never asked yet');
  assert.equal(dns.queries.length, before, 'known() sends no question');
  await r.resolve('v4.test');
  assert.deepEqual(r.known('v4.test'), { addresses: ['192.0.2.10'], source: 'cache', ms: 0 });
  clock += 3_600_000;
  assert.equal(r.known('v4.test'), null, 'an expired answer is not known');
  const uncached = resolver();
  await uncached.resolve('v4.test');
  assert.equal(uncached.known('v4.test'), null, 'without a cache every name is asked again');
});
