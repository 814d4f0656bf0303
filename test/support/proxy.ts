/**
 * @module test/support/proxy
 * Starts a real proxy server on 127.0.0.1:0 from a hand-made policy, with the real resolver (static
 * hosts only) and the real address guard, collecting its records. For tests of the proxy itself;
 * end-to-end tests start the gateway from a cordon.yaml instead.
 */
import type { AddressInfo } from 'node:net';
import { configSchema } from '../../src/config/schema.js';
import { createAddressGuard } from '../../src/net/address.js';
import { createResolver } from '../../src/net/resolver.js';
import { compilePolicy } from '../../src/policy/compile.js';
import type { AllowEntry, Mode, PolicySpec } from '../../src/policy/types.js';
import type { AccessRecord } from '../../src/proxy/records.js';
import type { ProxyRuntime, ProxySettings } from '../../src/proxy/runtime.js';
import { createProxyServer, type ProxyServerHandle } from '../../src/proxy/server.js';

/** Both data-plane engines; proxy tests run once per engine. */
export const PROXY_ENGINES = ['node', 'fast'] as const;
export type ProxyEngine = (typeof PROXY_ENGINES)[number];

export interface TestProxyOptions {
  engine?: ProxyEngine;
  http?: string[];
  https?: string[];
  httpPorts?: number[];
  httpsPorts?: number[];
  hosts?: Record<string, string>;
  allowPrivate?: string[];
  clients?: string[];
  mode?: Mode;
  settings?: Partial<{ [K in keyof ProxySettings]: Partial<ProxySettings[K]> }>;
}

export interface TestProxy {
  readonly port: number;
  readonly url: string;
  readonly records: AccessRecord[];
  readonly handle: ProxyServerHandle;
  /** Swap in a new policy (as a reload does). */
  setPolicy(next: TestProxyOptions): void;
  /** Wait until a record matching `pred` arrives. */
  waitForRecord(pred: (r: AccessRecord) => boolean, timeoutMs?: number): Promise<AccessRecord>;
  close(): Promise<void>;
}

const entries = (list: string[] | undefined, src: string): AllowEntry[] =>
  (list ?? []).map((value, i) => ({ value, source: `${src}[${i}]` }));

export function specFor(o: TestProxyOptions): PolicySpec {
  const clients = o.clients ?? ['127.0.0.0/8', '::1/128'];
  return {
    clients,
    groups: [
      {
        name: 'default',
        clients,
        mode: o.mode ?? 'enforce',
        http: { ports: o.httpPorts ?? [80], allow: entries(o.http, 'http.allow') },
        https: { ports: o.httpsPorts ?? [443], allow: entries(o.https, 'https.allow') },
      },
    ],
  };
}

let version = 0;

export function runtimeFor(o: TestProxyOptions): ProxyRuntime {
  const d = configSchema.parse({});
  const s = o.settings ?? {};
  return {
    policy: compilePolicy(specFor(o), ++version),
    resolver: createResolver({
      hosts: o.hosts ?? {},
      servers: ['127.0.0.1:9'],
      timeoutMs: 500,
      preferIpv4: true,
    }),
    guard: createAddressGuard({ allowPrivate: o.allowPrivate ?? ['127.0.0.0/8'] }),
    settings: {
      denyMessage: 'Ask the platform team.',
      tls: { ...d.tls, ...s.tls },
      limits: { ...d.limits, ...s.limits },
      timeouts: { ...d.timeouts, drainMs: 2000, ...s.timeouts },
    },
  };
}

export async function startTestProxy(o: TestProxyOptions): Promise<TestProxy> {
  let runtime = runtimeFor(o);
  const records: AccessRecord[] = [];
  const waiters = new Set<() => void>();
  const handle = createProxyServer({
    engine: o.engine ?? 'node',
    getRuntime: () => runtime,
    sink: (r) => {
      records.push(r);
      for (const w of waiters) w();
    },
  });
  const addr: AddressInfo = await handle.listen(0, '127.0.0.1');
  return {
    port: addr.port,
    url: `http://127.0.0.1:${addr.port}`,
    records,
    handle,
    setPolicy(next) {
      runtime = runtimeFor(next);
    },
    waitForRecord(pred, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = records.find(pred);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching record within ${timeoutMs} ms; have: ${JSON.stringify(records.map((r) => [r.host, r.reason]))}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => handle.close(),
  };
}
