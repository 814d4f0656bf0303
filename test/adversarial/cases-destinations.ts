/**
 * @module test/adversarial/cases-destinations
 * Destinations: names the policy ALLOWS whose DNS answers point at forbidden addresses. Every
 * resolved address is classified and one bad address refuses the name; only a checked address is
 * dialled, for HTTP, CONNECT and across re-resolution (rebinding).
 */
import assert from 'node:assert/strict';
import { buildClientHello } from '../../src/net/test-client-hello.js';
import { connect, get, paced, steps, type AdversarialCase } from './cases.js';
import { ORIGIN_ADDR, type EngineName } from './world.js';

/** [zone name, what it points at]. */
const HOSTILE: readonly [string, string][] = [
  ['loopback.evil.test', 'loopback 127.0.0.1'],
  ['zero.evil.test', '0.0.0.0, which Linux dials as loopback'],
  ['ten.evil.test', 'RFC 1918 10.0.0.1'],
  ['oneseventwo.evil.test', 'RFC 1918 172.16.0.1'],
  ['oneninetwo.evil.test', 'RFC 1918 192.168.0.1'],
  ['cgnat.evil.test', 'CGNAT 100.64.0.1'],
  ['metadata.evil.test', 'the AWS/GCP/Azure metadata service 169.254.169.254'],
  ['ecs.evil.test', 'the AWS ECS credentials endpoint 169.254.170.2'],
  ['azure.evil.test', 'Azure WireServer 168.63.129.16'],
  ['alibaba.evil.test', 'Alibaba metadata 100.100.100.200'],
  ['oracle.evil.test', 'Oracle legacy metadata 192.0.0.192'],
  ['aws6.evil.test', 'AWS IPv6 metadata fd00:ec2::254'],
  ['ula.evil.test', 'ULA fc00::1'],
  ['loopback6.evil.test', 'IPv6 loopback ::1'],
  ['unspecified6.evil.test', 'IPv6 unspecified ::'],
  ['linklocal6.evil.test', 'IPv6 link-local fe80::1'],
  ['multicast.evil.test', 'multicast 224.0.0.1'],
  ['broadcast.evil.test', 'broadcast 255.255.255.255'],
  ['reserved.evil.test', 'class E 240.0.0.1'],
  ['mapped.evil.test', 'IPv4-mapped ::ffff:127.0.0.1'],
  ['mapped-meta.evil.test', 'IPv4-mapped ::ffff:169.254.169.254'],
  ['nat64.evil.test', 'NAT64 64:ff9b::a9fe:a9fe (the metadata service)'],
  ['sixtofour.evil.test', '6to4 2002:a9fe:a9fe::1'],
  ['teredo.evil.test', 'Teredo 2001:0:a9fe:a9fe::1'],
  ['neighbour.evil.test', '203.0.113.11, next to the one /32 that allowPrivate opens'],
  ['self.evil.test', "the proxy's own address, inside an allowPrivate range"],
  ['mixed.evil.test', 'a public address AND 10.0.0.1 (checked address by address)'],
  ['mixed6.evil.test', 'a public A AND a ULA AAAA (happy eyeballs must not dial the AAAA)'],
];

const blocked = (host: string, what: string, via: 'http' | 'connect'): AdversarialCase => ({
  name: `${via === 'http' ? 'GET' : 'CONNECT'} ${host} → ${what}`,
  send: via === 'http' ? get(`http://${host}/latest/meta-data/`) : connect(`${host}:443`),
  expect: { status: 403, reason: 'blocked_address', closed: via === 'connect', dns: [host] },
});

/** Two requests for a name whose answer changes: the second must be judged on its own answer. */
function rebinding(host: string, second: string, via: 'http' | 'connect'): AdversarialCase {
  const send =
    via === 'http' ? get(`http://${host}/`) : connect(`${host}:443`, buildClientHello({ sni: [host] }));
  return {
    name: `${via === 'http' ? 'GET' : 'CONNECT'} ${host}: public, then ${second} (rebinding)`,
    send: steps(async (ctx) => {
      const first = await ctx.send(send);
      assert.equal(first.status, 200, 'the first answer is public and reached');
      return ctx.send(via === 'http' ? get(`http://${host}/`) : connect(`${host}:443`));
    }),
    expect: { status: 403, reason: 'blocked_address', closed: via === 'connect', dns: [host], reaches: true },
  };
}

/** The cases; rebinding names are per engine, since each name's answers change only once. */
const REPORTING = '10.99.3.5';

export const destinationCases = (engine: EngineName): readonly AdversarialCase[] => [
  {
    name: 'a client outside `clients` → 403 client_not_allowed, nothing resolved',
    send: paced(get('http://ok.lab.test/'), { source: '198.51.100.7' }),
    expect: { status: 403, reason: 'client_not_allowed' },
  },
  {
    name: 'a CONNECT from a client outside `clients` → 403 client_not_allowed',
    send: paced(connect('ok.lab.test:443'), { source: '198.51.100.7' }),
    expect: { status: 403, reason: 'client_not_allowed', closed: true },
  },
  {
    name: 'report mode lets rule denials through, never the address checks: the metadata literal',
    send: paced(get('http://169.254.169.254/latest/meta-data/'), { source: REPORTING }),
    expect: { status: 403, reason: 'blocked_address' },
  },
  {
    name: 'report mode: 0xa9fea9fe (the metadata service) is still refused',
    send: paced(get('http://0xa9fea9fe/'), { source: REPORTING }),
    expect: { status: 403, reason: 'blocked_address' },
  },
  {
    name: 'report mode: an unlisted name resolving to the metadata service is still refused',
    send: paced(connect('imds.attacker.example:443'), { source: REPORTING }),
    expect: {
      status: 403,
      reason: 'blocked_address',
      closed: true,
      dns: ['imds.attacker.example'],
      check: (_o, _s, records) => assert.equal(records[0]?.wouldDeny, true, 'recorded as a would-be denial'),
    },
  },
  {
    name: 'GET ok.lab.test (control: allowed, dials the checked address)',
    send: get('http://ok.lab.test/control'),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (_o, _s, records) => assert.equal(records[0]?.resolved, ORIGIN_ADDR),
    },
  },
  ...HOSTILE.map(([host, what]) => blocked(host, what, 'http')),
  ...[
    'metadata.evil.test',
    'aws6.evil.test',
    'mapped-meta.evil.test',
    'mixed6.evil.test',
    'self.evil.test',
  ].map((host) => blocked(host, 'refused before the tunnel opens', 'connect')),
  {
    name: 'GET http://10.0.0.1/: the policy names the literal, the address check still refuses it',
    send: get('http://10.0.0.1/'),
    expect: { status: 403, reason: 'blocked_address' },
  },
  ...['012.0.0.1', '10.1', '0xa000001'].map((spelling): AdversarialCase => ({
    name: `GET http://${spelling}/ (another spelling of that literal): same decision, same refusal`,
    send: get(`http://${spelling}/`),
    expect: { status: 403, reason: 'blocked_address' },
  })),
  rebinding(`rebind.${engine}.evil.test`, '127.0.0.1', 'http'),
  rebinding(`rebind-meta.${engine}.evil.test`, '169.254.169.254', 'connect'),
];
