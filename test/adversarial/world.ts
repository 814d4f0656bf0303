/**
 * @module test/adversarial/world
 * The adversarial suite's little world, shared by the test (outside the namespace) and the harness
 * (inside it): the addresses the namespace carries, the canaries on the forbidden ones, the
 * recording DNS server's zone, and the policy the proxies run. Data only; no I/O.
 */

/** The proxy's own address. Its listeners: see `PROXIES`. */
export const PROXY_ADDR = '10.99.0.1';

/**
 * The echo origin's address: a documentation address (RFC 5737 TEST-NET-3), so the address guard
 * classes it `reserved`. The policy opens exactly this /32 in `dns.allowPrivate`, the way an operator
 * opens one internal service; everything else in 203.0.113.0/24 stays closed.
 */
export const ORIGIN_ADDR = '203.0.113.10';

/** Routed to a link that silently drops every packet: connecting to it can only time out. */
export const BLACKHOLE_ADDR = '203.0.113.99';

/**
 * Client source ranges (a `local` route makes each whole range bindable): clients for the limit
 * cases, clients in a `report`-mode group, and addresses outside `clients` altogether.
 */
export const CLIENT_RANGES = {
  plain: '10.99.2.0/24',
  report: '10.99.3.0/24',
  outsider: '198.51.100.0/24',
} as const;

/** Ports the canaries and origins listen on: the policy's http (80, 8080) and https (443) ports. */
export const PORTS = { http: 80, httpAlt: 8080, https: 443 } as const;

/**
 * Forbidden destinations, each with a canary listener on every port in `PORTS`. A connection to any
 * of them is a failure of the whole suite.
 */
export const CANARY_ADDRS: readonly string[] = [
  '127.0.0.1', // loopback (0.0.0.0 is dialled as loopback too)
  '10.0.0.1', // RFC 1918
  '172.16.0.1',
  '192.168.0.1',
  '100.64.0.1', // CGNAT
  '169.254.169.254', // AWS, GCP, Azure IMDS, OpenStack
  '169.254.170.2', // AWS ECS task credentials
  '168.63.129.16', // Azure WireServer
  '100.100.100.200', // Alibaba
  '192.0.0.192', // Oracle
  '203.0.113.11', // next to the origin: allowPrivate names a /32, not the range
  PROXY_ADDR, // the proxy itself, inside an allowPrivate range
  '::1',
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fc00::1', // ULA
  '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
  '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
  '2001:0:a9fe:a9fe::1', // Teredo
];

/** The recording DNS server's zone. Every name the policy allows in `.evil.test` is hostile DNS. */
export const DNS_RECORDS: Readonly<Record<string, readonly string[]>> = {
  'ok.lab.test': [ORIGIN_ADDR],
  'bank.test': [ORIGIN_ADDR],
  'www.corp.test': [ORIGIN_ADDR],
  'blackhole.lab.test': [BLACKHOLE_ADDR],
  'intranet.corp.internal': [ORIGIN_ADDR],
  'metadata.evil.test': ['169.254.169.254'],
  'ecs.evil.test': ['169.254.170.2'],
  'azure.evil.test': ['168.63.129.16'],
  'alibaba.evil.test': ['100.100.100.200'],
  'oracle.evil.test': ['192.0.0.192'],
  'aws6.evil.test': ['fd00:ec2::254'],
  'loopback.evil.test': ['127.0.0.1'],
  'zero.evil.test': ['0.0.0.0'],
  'ten.evil.test': ['10.0.0.1'],
  'oneseventwo.evil.test': ['172.16.0.1'],
  'oneninetwo.evil.test': ['192.168.0.1'],
  'cgnat.evil.test': ['100.64.0.1'],
  'ula.evil.test': ['fc00::1'],
  'loopback6.evil.test': ['::1'],
  'unspecified6.evil.test': ['::'],
  'linklocal6.evil.test': ['fe80::1'],
  'multicast.evil.test': ['224.0.0.1'],
  'broadcast.evil.test': ['255.255.255.255'],
  'reserved.evil.test': ['240.0.0.1'],
  'mapped.evil.test': ['::ffff:127.0.0.1'],
  'mapped-meta.evil.test': ['::ffff:169.254.169.254'],
  'nat64.evil.test': ['64:ff9b::a9fe:a9fe'],
  'sixtofour.evil.test': ['2002:a9fe:a9fe::1'],
  'teredo.evil.test': ['2001:0:a9fe:a9fe::1'],
  'neighbour.evil.test': ['203.0.113.11'],
  'self.evil.test': [PROXY_ADDR],
  'mixed.evil.test': [ORIGIN_ADDR, '10.0.0.1'],
  'mixed6.evil.test': [ORIGIN_ADDR, 'fc00::1'],
  // Not on any allowlist: only a report-mode client gets as far as resolving it.
  'imds.attacker.example': ['169.254.169.254'],
};

/** Answers that change between queries: public first, then a canary (DNS rebinding). */
export const DNS_SEQUENCES: Readonly<Record<string, readonly (readonly string[])[]>> = Object.fromEntries(
  ['node', 'fast'].flatMap((engine) => [
    [`rebind.${engine}.evil.test`, [[ORIGIN_ADDR], ['127.0.0.1']]],
    [`rebind-meta.${engine}.evil.test`, [[ORIGIN_ADDR], ['169.254.169.254']]],
  ]),
);

export const DNS_FAILURES = { 'slow.lab.test': 'drop', 'servfail.lab.test': 'servfail' } as const;

/** Pinned in `dns.hosts`: the liveness probe after every case costs no DNS query. */
export const ALIVE_HOST = 'alive.lab.test';

/** The resolv.conf the namespace gets: a search list a careless resolver would apply to `intranet`. */
export const RESOLV_CONF = 'nameserver 127.0.0.1\nsearch corp.internal\noptions ndots:1\n';

/** The proxies the harness runs, by name: both engines, each with roomy and with tight limits. */
export const PROXIES = {
  node: { engine: 'node', port: 3128, tight: false },
  fast: { engine: 'fast', port: 3129, tight: false },
  'node-tight': { engine: 'node', port: 3130, tight: true },
  'fast-tight': { engine: 'fast', port: 3131, tight: true },
} as const;
export type ProxyName = keyof typeof PROXIES;
export type EngineName = 'node' | 'fast';

/** Timeouts and limits of the roomy proxies, short so that timeout cases finish quickly. */
export const SETTINGS = {
  headersMs: 1000,
  idleMs: 1200,
  connectMs: 600,
  upstreamHeadersMs: 1500,
  tunnelIdleMs: 800,
  peekTimeoutMs: 800,
  dnsTimeoutMs: 600,
  maxConnections: 1000,
  maxConnectionsPerClient: 64,
  maxTunnels: 1000,
  maxTunnelsPerClient: 64,
  maxUrlLength: 2048,
  maxHeaders: 40,
  maxHeaderBytes: 16384,
  maxClientHelloBytes: 16384,
} as const;

/**
 * The tight proxies' caps. The tunnel caps sit below the connection caps, so a CONNECT over a tunnel
 * cap is still admitted as a connection and meets the tunnel cap itself.
 */
export const TIGHT = {
  maxConnections: 6,
  maxConnectionsPerClient: 3,
  maxTunnels: 3,
  maxTunnelsPerClient: 2,
} as const;

const ALLOW_COMMON = ['.lab.test', '.evil.test', 'bank.test', '.corp.test', ORIGIN_ADDR];

/** cordon.yaml for a harness proxy, loaded through the real config loader. */
export function policyYaml(dnsPort: number, tight: boolean): string {
  const s = SETTINGS;
  const caps = tight ? TIGHT : s;
  return `# The adversarial suite's policy. Every hostile name in .evil.test is ALLOWED by the rules,
# so that the address checks (not the allowlist) are what must stop it.
listen: ${PROXY_ADDR}:0
clients: [10.0.0.0/8, 127.0.0.0/8]
groups:
  # A team still building its allowlist: rule denials are let through and recorded.
  - name: learning
    clients: [${CLIENT_RANGES.report}]
    mode: report
http:
  ports: [${PORTS.http}, ${PORTS.httpAlt}]
  allow: ${JSON.stringify([...ALLOW_COMMON, 'intranet', '10.0.0.1'])}
https:
  ports: [${PORTS.https}]
  allow: ${JSON.stringify(ALLOW_COMMON)}
dns:
  servers: ["127.0.0.1:${dnsPort}"]
  timeoutMs: ${s.dnsTimeoutMs}
  # Each case checks the questions DNS got while it ran, so no answer is reused from an earlier
  # case. The cache is tested on its own (src/net/dns-cache.test.ts, test/proxy/dns-cache.test.ts).
  cacheSeconds: 0
  hosts: { ${ALIVE_HOST}: ${ORIGIN_ADDR} }
  # The origin, the blackhole, and a subnet of internal services that also holds the proxy itself.
  allowPrivate: [${ORIGIN_ADDR}/32, ${BLACKHOLE_ADDR}/32, 10.99.0.0/24]
tls:
  peekTimeoutMs: ${s.peekTimeoutMs}
  maxClientHelloBytes: ${s.maxClientHelloBytes}
limits:
  maxHeaderBytes: ${s.maxHeaderBytes}
  maxUrlLength: ${s.maxUrlLength}
  maxHeaders: ${s.maxHeaders}
  maxConnections: ${caps.maxConnections}
  maxConnectionsPerClient: ${caps.maxConnectionsPerClient}
  maxTunnels: ${caps.maxTunnels}
  maxTunnelsPerClient: ${caps.maxTunnelsPerClient}
timeouts:
  headersMs: ${s.headersMs}
  idleMs: ${s.idleMs}
  connectMs: ${s.connectMs}
  upstreamHeadersMs: ${s.upstreamHeadersMs}
  tunnelIdleMs: ${s.tunnelIdleMs}
  drainMs: 300
log: { access: null, json: null }
`;
}
