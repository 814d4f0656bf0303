/**
 * The DNS cache inside the real resolver, against a real DNS server on loopback: answers reused for
 * their TTL (capped), one query for concurrent lookups, TTL-0 answers (a rebinding name) and
 * failures never kept, a bound on names kept, and 0 turning it off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DnsCacheOptions } from './dns-cache.js';
import { createResolver, type HostResolver } from './resolver.js';
import { createTestDnsServer, type TestDnsServer } from './test-dns-server.js';

let dns: TestDnsServer;
// The test server answers with TTL 60 s, and TTL 0 for `sequences`.
before(async () => {
  dns = await createTestDnsServer({
    records: {
      'a.test': ['192.0.2.1'],
      'b.test': ['192.0.2.2'],
      'c.test': ['192.0.2.3'],
      'd.test': ['192.0.2.4'],
      'e.test': ['192.0.2.5'],
      'f.test': ['192.0.2.6'],
    },
    sequences: { 'rebind.test': [['192.0.2.50'], ['127.0.0.1']] },
  });
});
after(() => dns.close());

function cached(o: Omit<DnsCacheOptions, 'maxSeconds'> & { maxSeconds?: number } = {}): HostResolver {
  return createResolver({
    hosts: { 'pinned.test': '192.0.2.9' },
    servers: [`127.0.0.1:${dns.port}`],
    timeoutMs: 2000,
    preferIpv4: true,
    cache: { maxSeconds: 300, ...o },
  });
}

/** A-record questions for `name` so far. */
const asked = (name: string): number => dns.questions.filter((q) => q.name === name && q.type === 1).length;

describe('DNS cache', () => {
  it('answers a name again from the cache within its TTL', async () => {
    const r = cached();
    assert.equal((await r.resolve('a.test')).source, 'dns');
    const again = await r.resolve('a.test');
    assert.deepEqual([again.source, again.addresses], ['cache', ['192.0.2.1']]);
    assert.equal(asked('a.test'), 1);
  });

  it('sends one query for lookups of one name at the same time', async () => {
    const r = cached();
    const all = await Promise.all([r.resolve('b.test'), r.resolve('b.test'), r.resolve('b.test')]);
    assert.deepEqual(
      all.map((x) => x.addresses),
      [['192.0.2.2'], ['192.0.2.2'], ['192.0.2.2']],
    );
    assert.equal(asked('b.test'), 1);
  });

  it('keeps an answer for its TTL capped at maxSeconds, then asks again', async () => {
    let t = 1_000_000;
    const r = cached({ maxSeconds: 30, now: () => t });
    await r.resolve('c.test');
    t += 29_000;
    assert.equal((await r.resolve('c.test')).source, 'cache');
    t += 2_000;
    assert.equal((await r.resolve('c.test')).source, 'dns');
    assert.equal(asked('c.test'), 2);
  });

  it('never keeps a TTL-0 answer: a rebinding name is asked, and re-checked, every time', async () => {
    const r = cached();
    assert.deepEqual((await r.resolve('rebind.test')).addresses, ['192.0.2.50']);
    const second = await r.resolve('rebind.test');
    assert.deepEqual([second.source, second.addresses], ['dns', ['127.0.0.1']]);
  });

  it('never keeps a failure', async () => {
    const r = cached();
    await assert.rejects(r.resolve('missing.test'), { code: 'CORDON_NET_DNS_NOTFOUND' });
    await assert.rejects(r.resolve('missing.test'), { code: 'CORDON_NET_DNS_NOTFOUND' });
    assert.equal(asked('missing.test'), 2);
  });

  it('keeps at most maxEntries names, dropping the oldest', async () => {
    const r = cached({ maxEntries: 2 });
    await r.resolve('d.test');
    await r.resolve('e.test');
    await r.resolve('f.test');
    assert.equal((await r.resolve('f.test')).source, 'cache');
    assert.equal((await r.resolve('d.test')).source, 'dns');
    assert.equal(asked('d.test'), 2);
  });

  it('answers static hosts as before, never from the cache', async () => {
    const r = cached();
    assert.equal((await r.resolve('pinned.test')).source, 'hosts');
    assert.equal((await r.resolve('pinned.test')).source, 'hosts');
  });

  it('asks DNS every time with maxSeconds 0', async () => {
    const r = cached({ maxSeconds: 0 });
    const before = asked('a.test');
    await r.resolve('a.test');
    await r.resolve('a.test');
    assert.equal(asked('a.test'), before + 2);
  });
});
