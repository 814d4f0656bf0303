/**
 * The DNS cache as the gateway builds it from cordon.yaml (default `dns.cacheSeconds`), through the
 * real proxy and a real DNS server on loopback: repeated requests for one name ask DNS once, and a
 * name whose answer changes on every query (DNS rebinding, TTL 0) is asked again and its new
 * address checked, so the second request is refused `blocked_address`. A reload keeps the cache when
 * the `dns` settings did not change, and starts a new one when they did; a kept answer is checked
 * against the address rules in force on every use.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { loadConfigText, type LoadedConfig } from '../../src/config/load.js';
import { buildRuntime } from '../../src/gateway/runtime.js';
import { createTestDnsServer, type TestDnsServer } from '../../src/net/test-dns-server.js';
import type { AccessRecord } from '../../src/proxy/records.js';
import type { ProxyRuntime } from '../../src/proxy/runtime.js';
import { createProxyServer, type ProxyServerHandle } from '../../src/proxy/server.js';
import { rawExchange } from '../support/clients.js';
import { createHttpOrigin, type Origin } from '../support/origins.js';

describe('DNS cache through the proxy', () => {
  let dns: TestDnsServer;
  let origin: Origin;
  let proxy: ProxyServerHandle;
  let port = 0;
  let runtime: ProxyRuntime;
  const records: AccessRecord[] = [];
  const configText = (allow: string, dnsExtra = ''): string => `
http: { ports: [${origin.port}], allow: [${allow}] }
dns: { servers: ["127.0.0.1:${dns.port}"], allowPrivate: [127.0.0.1/32]${dnsExtra} }
log: { access: null, json: null }
`;
  const load = (text: string): LoadedConfig =>
    loadConfigText(text, { file: 'dns-cache.yaml', baseDir: tmpdir() });

  before(async () => {
    dns = await createTestDnsServer({
      records: { 'cached.test': ['127.0.0.1'] },
      sequences: { 'rebind.test': [['127.0.0.1'], ['169.254.169.254']] },
    });
    origin = await createHttpOrigin();
    const loaded = load(configText('cached.test, rebind.test'));
    assert.equal(loaded.config.dns.cacheSeconds, 300, 'the default is on');
    runtime = buildRuntime(loaded, 1);
    proxy = createProxyServer({ engine: 'fast', getRuntime: () => runtime, sink: (r) => records.push(r) });
    port = (await proxy.listen(0, '127.0.0.1')).port;
  });
  after(async () => {
    await proxy.close();
    await origin.close();
    await dns.close();
  });

  const get = (host: string): Promise<{ text: string }> =>
    rawExchange(
      port,
      `GET http://${host}:${origin.port}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
  const asked = (name: string): number => dns.questions.filter((q) => q.name === name && q.type === 1).length;

  it('asks DNS once for repeated requests to one name', async () => {
    for (let i = 0; i < 3; i++) assert.match((await get('cached.test')).text, /^HTTP\/1\.1 200 /);
    assert.equal(asked('cached.test'), 1);
    const mine = records.filter((r) => r.host === 'cached.test');
    assert.deepEqual(
      mine.map((r) => r.resolved),
      ['127.0.0.1', '127.0.0.1', '127.0.0.1'],
    );
    assert.equal(mine.at(-1)?.dnsMs, 0);
  });

  it('asks again for a TTL-0 answer and refuses the new address when it is blocked', async () => {
    assert.match((await get('rebind.test')).text, /^HTTP\/1\.1 200 /);
    const second = await get('rebind.test');
    assert.match(second.text, /^HTTP\/1\.1 403 /);
    assert.equal(records.filter((r) => r.host === 'rebind.test').at(-1)?.reason, 'blocked_address');
    assert.equal(asked('rebind.test'), 2);
  });

  it('keeps the cache across a reload that leaves the dns settings alone, not across one that changes them', async () => {
    const before = asked('cached.test');
    const previous = runtime;
    runtime = buildRuntime(load(configText('cached.test, rebind.test, other.test')), 2, previous);
    assert.equal(runtime.resolver, previous.resolver, 'same dns settings: the same resolver');
    assert.match((await get('cached.test')).text, /^HTTP\/1\.1 200 /);
    assert.equal(asked('cached.test'), before, 'answered from the cache kept across the reload');

    runtime = buildRuntime(load(configText('cached.test', ', cacheSeconds: 60')), 3, runtime);
    assert.notEqual(runtime.resolver, previous.resolver, 'changed dns settings: a new resolver');
    assert.match((await get('cached.test')).text, /^HTTP\/1\.1 200 /);
    assert.equal(asked('cached.test'), before + 1, 'a new resolver asks again');
    assert.match((await get('rebind.test')).text, /^HTTP\/1\.1 403 /, 'and the new policy is in force');
  });

  it('checks a kept answer against the address rules in force, without asking DNS again', async () => {
    const before = asked('cached.test');
    const previous = runtime;
    const noPrivate = configText('cached.test', ', cacheSeconds: 60').replace('127.0.0.1/32', '');
    runtime = buildRuntime(load(noPrivate), 4, previous);
    assert.equal(runtime.resolver, previous.resolver, 'only the address rules changed: the cache is kept');
    assert.match((await get('cached.test')).text, /^HTTP\/1\.1 403 /);
    assert.equal(records.filter((r) => r.host === 'cached.test').at(-1)?.reason, 'blocked_address');
    assert.equal(asked('cached.test'), before, 'refused from the kept answer');
  });
});
