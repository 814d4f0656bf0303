/**
 * @module test/adversarial/cases-connect
 * CONNECT: the authority is strictly `host:port` (port 1–65535 in plain decimal, from the https
 * port set); the ClientHello's SNI must name the CONNECT host, however the ClientHello is split
 * across reads or records, within a size bound and a deadline, or the tunnel closes before a byte
 * reaches the upstream; the outer SNI of an ECH ClientHello is what is checked; bytes pipelined
 * after a refused CONNECT are never parsed.
 */
import assert from 'node:assert/strict';
import {
  buildClientHello,
  buildClientHelloHandshake,
  captureClientHello,
  toRecords,
} from '../../src/net/test-client-hello.js';
import { connect, curl, paced, raw, steps, type AdversarialCase } from './cases.js';
import { SETTINGS } from './world.js';

const TUNNEL = 'ok.lab.test:443';

const badAuthority = (authority: string, why: string): AdversarialCase => ({
  name: `CONNECT ${authority} → ${why}`,
  send: connect(authority),
  expect: { status: 400, reason: 'bad_request', closed: true },
});

/** CONNECT ok.lab.test:443, then `after`: the tunnel must close with `reason`, no byte upstream. */
const closedTunnel = (
  name: string,
  reason: 'sni_mismatch' | 'sni_missing' | 'not_tls',
  ...after: Buffer[]
): AdversarialCase => ({
  name,
  send: connect(TUNNEL, ...after),
  expect: { status: 200, reason, closed: true, dns: ['ok.lab.test'] },
});

/** Cut `buf` at `points`. */
function cut(buf: Buffer, ...points: number[]): Buffer[] {
  const at = [0, ...points, buf.length];
  return at.slice(1).map((end, i) => buf.subarray(at[i], end));
}

const SMUGGLED = 'GET http://ok.lab.test/smuggled HTTP/1.1\r\nHost: ok.lab.test\r\nConnection: close\r\n\r\n';
const oneRecord: AdversarialCase['expect']['check'] = (_o, _s, records) =>
  assert.equal(records.length, 1, 'the pipelined request was never parsed');

export const CONNECT_CASES: readonly AdversarialCase[] = [
  {
    name: 'curl https://ok.lab.test through the proxy (control: a real TLS client, end to end)',
    send: curl('--cacert', '@CA', 'https://ok.lab.test/over-tls'),
    expect: {
      status: 200,
      reason: 'allowed',
      dns: ['ok.lab.test'],
      reaches: true,
      check: (o) => assert.match(o.text, /"url":"\/over-tls"/),
    },
  },
  badAuthority('ok.lab.test', 'a port is required'),
  badAuthority('ok.lab.test:', 'an empty port'),
  badAuthority('ok.lab.test:0', 'port 0'),
  badAuthority('ok.lab.test:0443', 'a leading zero'),
  badAuthority('ok.lab.test:+443', 'a sign'),
  badAuthority('ok.lab.test:0x1bb', 'a hex port'),
  badAuthority('ok.lab.test:65536', 'a port over 65535'),
  badAuthority('ok.lab.test:4294967739', 'a port that wraps to 443 in 32 bits'),
  badAuthority('ok.lab.test:443:443', 'two ports'),
  badAuthority('user@ok.lab.test:443', 'userinfo'),
  badAuthority('ok.lab.test:443/path', 'a path'),
  badAuthority('http://ok.lab.test:443/', 'a URL instead of an authority'),
  badAuthority('::1:443', 'an unbracketed IPv6 address'),
  badAuthority('[ok.lab.test]:443', 'a name in brackets'),
  badAuthority('%6fk.lab.test:443', 'percent-encoding'),
  badAuthority('*:443', 'a wildcard'),
  {
    name: 'CONNECT ok.lab.test:8443 → not in the https port set',
    send: connect('ok.lab.test:8443'),
    expect: { status: 403, reason: 'port_not_allowed', closed: true },
  },
  {
    name: 'CONNECT ok.lab.test:80 → an http port: decided by the http rules, payload not held to TLS',
    send: connect(
      'ok.lab.test:80',
      'GET /via-tunnel HTTP/1.1\r\nHost: ok.lab.test\r\nConnection: close\r\n\r\n',
    ),
    expect: { status: 200, reason: 'allowed', dns: ['ok.lab.test'], reaches: true, closed: true },
  },
  closedTunnel(
    'SNI evil.example on a tunnel to ok.lab.test → sni_mismatch',
    'sni_mismatch',
    buildClientHello({ sni: ['evil.example'] }),
  ),
  closedTunnel(
    'SNI bank.test (also allowed) on a tunnel to ok.lab.test → domain fronting',
    'sni_mismatch',
    buildClientHello({ sni: ['bank.test'] }),
  ),
  closedTunnel(
    'a ClientHello without SNI to a named host → sni_missing',
    'sni_missing',
    buildClientHello({ alpn: ['h2'] }),
  ),
  closedTunnel(
    'two host names in one SNI → refused as malformed',
    'not_tls',
    buildClientHello({ sni: ['ok.lab.test', 'evil.example'] }),
  ),
  closedTunnel(
    'an SNI with a NUL byte → refused as malformed',
    'not_tls',
    buildClientHello({ sni: [Buffer.from('ok.lab.test\0.evil.example')] }),
  ),
  closedTunnel(
    'plain HTTP inside a TLS tunnel → not_tls',
    'not_tls',
    Buffer.from('GET / HTTP/1.1\r\nHost: ok.lab.test\r\n\r\n'),
  ),
  closedTunnel(
    'an SSH banner inside a TLS tunnel → not_tls',
    'not_tls',
    Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'),
  ),
  closedTunnel(
    'a ClientHello split across TLS records (64-byte fragments), SNI evil.example → still read, sni_mismatch',
    'sni_mismatch',
    toRecords(buildClientHelloHandshake({ sni: ['evil.example'] }), 64),
  ),
  closedTunnel(
    `a ClientHello over ${SETTINGS.maxClientHelloBytes} bytes → refused at the size bound`,
    'not_tls',
    toRecords(
      buildClientHelloHandshake({
        sni: ['ok.lab.test'],
        extensions: [{ type: 21, data: Buffer.alloc(20000) }],
      }),
    ),
  ),
  closedTunnel(
    'ECH with outer SNI evil.example → the outer SNI is checked: sni_mismatch',
    'sni_mismatch',
    buildClientHello({ sni: ['evil.example'], ech: true }),
  ),
  {
    name: 'ECH with outer SNI ok.lab.test → allowed (the inner name is not visible to the proxy)',
    send: connect(TUNNEL, buildClientHello({ sni: ['ok.lab.test'], ech: true })),
    expect: { status: 200, reason: 'allowed', dns: ['ok.lab.test'], reaches: true, closed: true },
  },
  {
    name: 'SNI OK.LAB.TEST. (case, trailing dot) → the same name: allowed',
    send: connect(TUNNEL, buildClientHello({ sni: ['OK.LAB.TEST.'] })),
    expect: { status: 200, reason: 'allowed', dns: ['ok.lab.test'], reaches: true, closed: true },
  },
  {
    name: 'a ClientHello split across TLS records, SNI ok.lab.test → reassembled and allowed',
    send: connect(TUNNEL, toRecords(buildClientHelloHandshake({ sni: ['ok.lab.test'] }), 50)),
    expect: { status: 200, reason: 'allowed', dns: ['ok.lab.test'], reaches: true, closed: true },
  },
  {
    name: "Node's real ClientHello for evil.example, split across four reads → sni_mismatch",
    send: steps(async (ctx) => {
      const hello = await captureClientHello({ servername: 'evil.example', ALPNProtocols: ['h2'] });
      const head = `CONNECT ${TUNNEL} HTTP/1.1\r\nHost: ${TUNNEL}\r\n\r\n`;
      return ctx.send(paced(raw(head, ...cut(hello, 3, 9, 200)), { gapMs: 40 }));
    }),
    expect: { status: 200, reason: 'sni_mismatch', closed: true, dns: ['ok.lab.test'] },
  },
  {
    name: 'a ClientHello split across reads, SNI ok.lab.test → reassembled and allowed',
    send: paced(connect(TUNNEL, ...cut(buildClientHello({ sni: ['ok.lab.test'] }), 1, 5, 40)), { gapMs: 30 }),
    expect: { status: 200, reason: 'allowed', dns: ['ok.lab.test'], reaches: true, closed: true },
  },
  {
    name: 'half a ClientHello, then nothing → closed at the peek deadline with not_tls',
    send: paced(connect(TUNNEL, buildClientHello({ sni: ['ok.lab.test'] }).subarray(0, 30)), {
      timeoutMs: 4000,
    }),
    expect: {
      status: 200,
      reason: 'not_tls',
      closed: true,
      dns: ['ok.lab.test'],
      check: (o) => assert.ok(o.ms >= SETTINGS.peekTimeoutMs * 0.8, `closed after ${o.ms} ms`),
    },
  },
  {
    name: 'CONNECT 203.0.113.10:443 (allowed literal) with SNI evil.example → sni_mismatch',
    send: connect('203.0.113.10:443', buildClientHello({ sni: ['evil.example'] })),
    expect: { status: 200, reason: 'sni_mismatch', closed: true },
  },
  {
    name: 'a request pipelined after a denied CONNECT is never parsed or forwarded',
    send: connect('evil.example:443', SMUGGLED),
    expect: { status: 403, reason: 'not_allowlisted', closed: true, check: oneRecord },
  },
  {
    name: 'a request pipelined after a malformed CONNECT is never parsed or forwarded',
    send: connect('ok.lab.test:0', SMUGGLED),
    expect: { status: 400, reason: 'bad_request', closed: true, check: oneRecord },
  },
  {
    name: 'a request pipelined after a CONNECT to a blocked address is never parsed or forwarded',
    send: connect('metadata.evil.test:443', SMUGGLED),
    expect: {
      status: 403,
      reason: 'blocked_address',
      closed: true,
      dns: ['metadata.evil.test'],
      check: oneRecord,
    },
  },
  {
    name: 'a CONNECT with Content-Length (a body the next hop might read as a request) → 400',
    send: raw(
      `CONNECT ${TUNNEL} HTTP/1.1\r\nHost: ${TUNNEL}\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    ),
    expect: { status: 400, reason: 'bad_request', closed: true, check: oneRecord },
  },
];
