/**
 * @module test/adversarial/cases-literals
 * IP literals: every spelling of loopback and of the metadata service is recognised as that
 * address and denied (the policy does not name it), never resolved and never reverse-looked-up;
 * the spellings of an address the policy does name are all allowed, because policy decides on the
 * canonical form that is then dialled. Zone IDs are refused outright.
 */
import { buildClientHello } from '../../src/net/test-client-hello.js';
import { connect, get, type AdversarialCase } from './cases.js';

const LOOPBACK = [
  '127.0.0.1',
  '2130706433',
  '0x7f000001',
  '017700000001',
  '0177.0.0.1',
  '0x7f.0.0.1',
  '0x7f.1',
  '127.1',
  '127.0.1',
  '127.0.0.1.',
  '0',
  '0.0.0.0',
  '[::1]',
  '[::]',
  '[0:0:0:0:0:0:0:1]',
  '[::ffff:127.0.0.1]',
  '[::ffff:7f00:1]',
  '[0:0:0:0:0:ffff:127.0.0.1]',
  '[::127.0.0.1]',
  '[64:ff9b::7f00:1]',
];

const METADATA = [
  '169.254.169.254',
  '2852039166',
  '0xa9fea9fe',
  '0251.0376.0251.0376',
  '0xa9.0xfe.0xa9.0xfe',
  '169.254.43518',
  '169.16689662',
  '[::ffff:169.254.169.254]',
  '[::ffff:a9fe:a9fe]',
  '[fd00:ec2::254]',
  '[64:ff9b::a9fe:a9fe]',
  '[2002:a9fe:a9fe::]',
  '100.100.100.200',
  '168.63.129.16',
];

const denied = (spelling: string): AdversarialCase => ({
  name: `GET http://${spelling}/ → denied as an IP literal`,
  send: get(`http://${spelling}/latest/meta-data/`),
  expect: { status: 403, reason: 'ip_literal_not_allowed' },
});

const deniedConnect = (spelling: string): AdversarialCase => ({
  name: `CONNECT ${spelling}:443 → denied as an IP literal`,
  send: connect(`${spelling}:443`),
  expect: { status: 403, reason: 'ip_literal_not_allowed', closed: true },
});

/** Spellings of 203.0.113.10, which the policy names: one canonical form, one decision. */
const NAMED = [
  '203.0.113.10',
  '3405803786',
  '0xcb00710a',
  '0313.0.0161.012',
  '203.0.28938',
  '[::ffff:203.0.113.10]',
];

export const LITERAL_CASES: readonly AdversarialCase[] = [
  ...LOOPBACK.map(denied),
  ...METADATA.map(denied),
  ...[
    '127.0.0.1',
    '2130706433',
    '0x7f.1',
    '[::1]',
    '[::ffff:127.0.0.1]',
    '169.254.169.254',
    '0xa9fea9fe',
    '[fd00:ec2::254]',
  ].map(deniedConnect),
  ...NAMED.map((spelling): AdversarialCase => ({
    name: `GET http://${spelling}/ → the policy names 203.0.113.10: allowed, that address dialled`,
    send: get(`http://${spelling}/named`),
    expect: { status: 200, reason: 'allowed', reaches: true },
  })),
  {
    name: 'CONNECT 0xcb00710a:443 without SNI → the named address, allowed (no SNI needed for a literal)',
    send: connect('0xcb00710a:443', buildClientHello({})),
    expect: { status: 200, reason: 'allowed', reaches: true, closed: true },
  },
  {
    name: 'GET http://[fe80::1%25lo]/ → zone IDs are refused',
    send: get('http://[fe80::1%25lo]/'),
    expect: { status: 400, reason: 'invalid_host', closed: true },
  },
  {
    name: 'GET http://[fe80::1%lo]/ → zone IDs are refused (unencoded)',
    send: get('http://[fe80::1%lo]/'),
    expect: { status: 400, reason: 'invalid_host', closed: true },
  },
  {
    name: 'CONNECT [fe80::1%25eth0]:443 → zone IDs are refused',
    send: connect('[fe80::1%25eth0]:443'),
    expect: { status: 400, reason: 'bad_request', closed: true },
  },
  {
    name: 'GET http://%31%32%37.0.0.1/ → percent-encoded literal refused',
    send: get('http://%31%32%37.0.0.1/'),
    expect: { status: 400, reason: 'invalid_host', closed: true },
  },
];
