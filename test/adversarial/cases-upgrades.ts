/**
 * @module test/adversarial/cases-upgrades
 * Upgrades and other protocols: a WebSocket upgrade gets the same policy as any request, then is
 * relayed; h2c and the HTTP/2 preface are refused cleanly; absolute-form schemes other than http
 * are refused; origin-form requests are refused and never routed by Host; redirects are passed
 * back to the client, never followed.
 */
import assert from 'node:assert/strict';
import { get, paced, raw, type AdversarialCase } from './cases.js';
import { EITHER } from './cases-names.js';

const upgrade = (url: string, proto = 'websocket'): string =>
  `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${proto}\r\n` +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

const scheme = (url: string): AdversarialCase => ({
  name: `GET ${url} → only http:// is forwarded`,
  send: get(url),
  expect: { status: 403, reason: 'scheme_not_allowed' },
});

const originForm = (name: string, text: string): AdversarialCase => ({
  name: `${name} → 400, never routed by Host`,
  send: raw(text),
  expect: { status: 400, reason: 'bad_request', closed: true },
});

export const UPGRADE_CASES: readonly AdversarialCase[] = [
  {
    name: 'a WebSocket upgrade to an allowed destination → decided, then relayed both ways',
    send: paced(raw(upgrade('http://ok.lab.test:8080/ws'), 'frame-bytes'), { gapMs: 100 }),
    expect: {
      status: 101,
      reason: 'allowed',
      closed: true,
      dns: ['ok.lab.test'],
      reaches: true,
      check: (o, seen) => {
        assert.ok(o.text.endsWith('frame-bytes'), 'the frame came back through the relay');
        assert.match(seen.rawSeen[0] ?? '', /^GET \/ws HTTP\/1\.1\r\n/);
        assert.match(seen.rawSeen[0] ?? '', /\r\nHost: ok\.lab\.test:8080\r\n/i);
      },
    },
  },
  {
    name: 'a WebSocket upgrade to a destination off the allowlist → 403',
    send: raw(upgrade('http://evil.example/ws')),
    expect: { status: 403, reason: 'not_allowlisted', closed: true },
  },
  {
    name: 'a WebSocket upgrade to a name resolving to the metadata service → 403',
    send: raw(upgrade('http://metadata.evil.test/ws')),
    expect: { status: 403, reason: 'blocked_address', closed: true, dns: ['metadata.evil.test'] },
  },
  {
    name: 'a WebSocket upgrade to a denied IP literal → 403',
    send: raw(upgrade('http://169.254.169.254/ws')),
    expect: { status: 403, reason: 'ip_literal_not_allowed', closed: true },
  },
  {
    name: 'a WebSocket upgrade with a ws:// target → 403',
    send: raw(upgrade('ws://ok.lab.test:8080/ws')),
    expect: { status: 403, reason: 'scheme_not_allowed', closed: true },
  },
  {
    name: 'an h2c upgrade → 400',
    send: raw(
      `GET http://ok.lab.test/ HTTP/1.1\r\nHost: ok.lab.test\r\nConnection: Upgrade, HTTP2-Settings\r\n` +
        'Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n',
    ),
    expect: { status: 400, reason: 'bad_request', closed: true },
  },
  {
    name: 'the HTTP/2 connection preface → 400',
    send: raw('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    expect: { status: 400, reason: 'bad_request', closed: true },
  },
  scheme('https://ok.lab.test/'),
  scheme('ftp://ok.lab.test/'),
  scheme('gopher://ok.lab.test:80/_GET%20/'),
  scheme('ws://ok.lab.test/'),
  {
    name: 'GET file:///etc/passwd → refused',
    send: get('file:///etc/passwd'),
    expect: { status: 400, reason: EITHER, closed: true },
  },
  originForm('origin-form GET / with Host: ok.lab.test', 'GET / HTTP/1.1\r\nHost: ok.lab.test\r\n\r\n'),
  originForm(
    'origin-form GET with Host: metadata.evil.test',
    'GET /latest/meta-data/ HTTP/1.1\r\nHost: metadata.evil.test\r\n\r\n',
  ),
  originForm('asterisk-form OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: ok.lab.test\r\n\r\n'),
  originForm('authority-form on a GET', 'GET ok.lab.test:80 HTTP/1.1\r\nHost: ok.lab.test\r\n\r\n'),
  {
    name: 'a redirect to the metadata service is passed back, never followed',
    send: get('http://ok.lab.test/redirect'),
    expect: {
      status: 302,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (o) => assert.equal(o.headers.location, 'http://169.254.169.254/latest/meta-data/'),
    },
  },
];
