/**
 * @module test/adversarial/harness
 * The adversarial suite's harness, run INSIDE the suite's network namespace by
 * `ip netns exec <ns> node --import tsx test/adversarial/harness.ts`. It runs the recording DNS
 * server, the canaries, the origins and four real proxies (both engines, roomy and tight limits)
 * built from a cordon.yaml by the real config loader, and acts as the clients. It answers the suite
 * over JSON lines on stdin/stdout (see protocol.ts) and stops when stdin closes.
 *
 * One departure from the gateway: the guard's own-address list is the proxy's listen address only.
 * The gateway takes every interface address, but here the canaries' addresses sit on this
 * namespace's `lo` as stand-ins for other hosts, and must be judged by their real class.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfigText } from '../../src/config/load.js';
import { buildRuntime } from '../../src/gateway/runtime.js';
import { createAddressGuard } from '../../src/net/address.js';
import { createTestDnsServer, type TestDnsServer } from '../../src/net/test-dns-server.js';
import type { AccessRecord } from '../../src/proxy/records.js';
import type { ProxyRuntime } from '../../src/proxy/runtime.js';
import { createProxyServer, type ProxyServerHandle } from '../../src/proxy/server.js';
import { createTestCa } from '../support/ca.js';
import { curl } from '../support/clients.js';
import { hold, rawExchange, release, slowloris, until } from './actions.js';
import type { ControlRequest, Mark, Observed, Ops } from './protocol.js';
import { startCanaries, startOrigins, type Canaries, type Origins } from './servers.js';
import {
  DNS_FAILURES,
  DNS_RECORDS,
  DNS_SEQUENCES,
  PROXIES,
  PROXY_ADDR,
  policyYaml,
  type ProxyName,
} from './world.js';

interface RunningProxy {
  readonly handle: ProxyServerHandle;
  readonly port: number;
  readonly records: AccessRecord[];
  readonly held: Socket[];
}

function runtimeFor(dnsPort: number, tight: boolean): ProxyRuntime {
  // The text names no file (logs are off), so nothing is read or written under baseDir.
  const loaded = loadConfigText(policyYaml(dnsPort, tight), { file: 'adversarial.yaml', baseDir: tmpdir() });
  const runtime = buildRuntime(loaded, 1);
  const guard = createAddressGuard({
    allowPrivate: loaded.config.dns.allowPrivate,
    selfAddresses: [PROXY_ADDR],
  });
  return { ...runtime, guard };
}

async function startProxies(dnsPort: number): Promise<Map<ProxyName, RunningProxy>> {
  const out = new Map<ProxyName, RunningProxy>();
  for (const [name, p] of Object.entries(PROXIES) as [ProxyName, (typeof PROXIES)[ProxyName]][]) {
    const runtime = runtimeFor(dnsPort, p.tight);
    const records: AccessRecord[] = [];
    const handle = createProxyServer({
      engine: p.engine,
      getRuntime: () => runtime,
      sink: (r) => records.push(r),
    });
    await handle.listen(p.port, PROXY_ADDR);
    out.set(name, { handle, port: p.port, records, held: [] });
  }
  return out;
}

interface World {
  readonly dns: TestDnsServer;
  readonly canaries: Canaries;
  readonly origins: Origins;
  readonly proxies: Map<ProxyName, RunningProxy>;
  readonly caFile: string;
}

function proxyOf(world: World, name: ProxyName): RunningProxy {
  const p = world.proxies.get(name);
  if (p === undefined) throw new Error(`no proxy ${name}`);
  return p;
}

function mark(world: World): Mark {
  const records = Object.fromEntries([...world.proxies].map(([n, p]) => [n, p.records.length]));
  return {
    dns: world.dns.questions.length,
    records: records as Mark['records'],
    httpSeen: world.origins.httpSeen.length,
    rawSeen: world.origins.rawSeen.length,
    originEvents: world.origins.events,
    originConns: world.origins.conns.length,
    canaries: Object.fromEntries(world.canaries.hits),
  };
}

function observe(world: World, m: Mark): Observed {
  const o = world.origins;
  const bytes = o.conns.slice(m.originConns).reduce((n, s) => n + s.bytesRead, 0);
  return {
    questions: world.dns.questions.slice(m.dns),
    httpSeen: o.httpSeen.slice(m.httpSeen),
    rawSeen: o.rawSeen.slice(m.rawSeen).map((r) => r.text),
    originTouches: o.events - m.originEvents + bytes,
    canaryHits: Object.fromEntries(
      [...world.canaries.hits]
        .map(([k, n]): [string, number] => [k, n - (m.canaries[k] ?? 0)])
        .filter(([, n]) => n > 0),
    ),
  };
}

type Handler<K extends keyof Ops> = (world: World, args: Ops[K]['args']) => Promise<Ops[K]['result']>;
const HANDLERS: { [K in keyof Ops]: Handler<K> } = {
  mark: (world) => Promise.resolve(mark(world)),
  observe: (world, a) => Promise.resolve(observe(world, a.mark)),
  async records(world, a) {
    const { records } = proxyOf(world, a.proxy);
    const hit = (): boolean => records.slice(a.since).some((r) => a.reasons.includes(r.reason));
    await until(hit, a.timeoutMs, 'a record').catch(() => undefined);
    return records.slice(a.since);
  },
  raw(world, a) {
    const parts = a.parts.map((p) => Buffer.from(p, 'base64'));
    return rawExchange(proxyOf(world, a.proxy).port, parts, a);
  },
  curl: (world, a) => curl(['-x', `http://${PROXY_ADDR}:${proxyOf(world, a.proxy).port}`, ...a.args]),
  async hold(world, a) {
    const p = proxyOf(world, a.proxy);
    await hold(p.handle, p.port, p.held, a.count, a.source, a.payload);
    return { open: p.handle.stats().connections };
  },
  async release(world, a) {
    const p = proxyOf(world, a.proxy);
    await release(p.handle, p.held);
    return { open: p.handle.stats().connections };
  },
  slowloris: (world, a) => slowloris(proxyOf(world, a.proxy).port, a),
};

async function dispatch(world: World, line: string): Promise<string> {
  const req = JSON.parse(line) as ControlRequest;
  try {
    const handler = HANDLERS[req.op] as Handler<keyof Ops>;
    return JSON.stringify({ id: req.id, result: await handler(world, req.args as never) });
  } catch (e: unknown) {
    return JSON.stringify({ id: req.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

async function main(): Promise<void> {
  const dns = await createTestDnsServer({
    records: DNS_RECORDS,
    sequences: DNS_SEQUENCES,
    failures: DNS_FAILURES,
  });
  const ca = await createTestCa('Cordon Adversarial CA');
  const caDir = mkdtempSync(join(tmpdir(), 'cordon-adv-ca-'));
  const caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const canaries = await startCanaries();
  const origins = await startOrigins(ca);
  const proxies = await startProxies(dns.port);
  const world: World = { dns, canaries, origins, proxies, caFile };
  const write = (s: string): boolean => process.stdout.write(`${s}\n`);
  write(JSON.stringify({ ready: { caFile, dnsPort: dns.port, canaries: canaries.listeners } }));
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => void dispatch(world, line).then(write));
  lines.on('close', () => {
    for (const p of proxies.values()) void p.handle.close();
    canaries.close();
    origins.close();
    rmSync(caDir, { recursive: true, force: true });
    void dns.close().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`harness failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
