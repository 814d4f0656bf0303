/**
 * @module test/adversarial/cases-limits
 * Limits: header size (431), URL length (414), header count (431); timeouts for request heads, idle
 * keep-alive, connect and idle tunnels; per-client and total connection caps (tunnels count) and
 * tunnel caps of their own (CONNECT tunnels and WebSocket relays) answered with 429 and Retry-After;
 * bounded memory under a slowloris flood that a normal request survives.
 */
import assert from 'node:assert/strict';
import {
  connect,
  get,
  outcomeOf,
  paced,
  raw,
  steps,
  type AdversarialCase,
  type CaseContext,
} from './cases.js';
import { SETTINGS, TIGHT } from './world.js';

const within = (ms: number, low: number, high: number): void =>
  assert.ok(ms >= low * 0.8 && ms <= high + 1500, `took ${ms} ms, expected about ${low}–${high} ms`);

/** `count` connections held open from `source`, each having sent `payload` (nothing if absent). */
type Fill = readonly [source: string, count: number, payload?: string];

/** Fill a cap (each `Fill` in turn), send one more request from `from`, then let go. */
function overCap(fill: readonly Fill[], from: string, probe?: string) {
  return steps(async (ctx: CaseContext) => {
    try {
      for (const [source, count, payload] of fill)
        await ctx.h.call('hold', { proxy: ctx.proxy, count, source, payload });
      return await ctx.send(
        paced(probe === undefined ? get('http://ok.lab.test/') : raw(probe), { source: from }),
      );
    } finally {
      await ctx.h.call('release', { proxy: ctx.proxy });
    }
  });
}

/** Retry-After, and the body naming which cap it was. */
const retryAfter =
  (cap: RegExp): AdversarialCase['expect']['check'] =>
  (o) => {
    assert.match(o.headers['retry-after'] ?? '', /^\d+$/);
    assert.match(o.text, cap);
  };
const CONNECTION_CAP = /too many connections/;
const CLIENT_TUNNEL_CAP = /too many open tunnels from this client/;
const TUNNEL_CAP = /too many open tunnels;/;

/** A tunnel to an http port (held open, no TLS needed) and a WebSocket the raw origin holds open. */
const TUNNEL = 'CONNECT ok.lab.test:80 HTTP/1.1\r\nHost: ok.lab.test:80\r\n\r\n';
const WEBSOCKET =
  'GET http://ok.lab.test:8080/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
  'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';

const FLOOD_SOURCES = ['10.99.2.20', '10.99.2.21', '10.99.2.22', '10.99.2.23'];
const FLOOD_PER_SOURCE = SETTINGS.maxConnectionsPerClient + 8;

export const LIMIT_CASES: readonly AdversarialCase[] = [
  {
    name: `a URL over ${SETTINGS.maxUrlLength} characters → 414`,
    send: get(`http://ok.lab.test/${'a'.repeat(SETTINGS.maxUrlLength)}`),
    expect: { status: 414, reason: 'bad_request', closed: true },
  },
  {
    name: `a header block over ${SETTINGS.maxHeaderBytes} bytes → 431`,
    send: get('http://ok.lab.test/', `X-Big: ${'a'.repeat(SETTINGS.maxHeaderBytes)}\r\n`),
    expect: { status: 431, reason: 'bad_request', closed: true },
  },
  {
    name: `more than ${SETTINGS.maxHeaders} headers → 431`,
    send: get(
      'http://ok.lab.test/',
      Array.from({ length: SETTINGS.maxHeaders }, (_, i) => `X-H${i}: v\r\n`).join(''),
    ),
    expect: { status: 431, reason: 'bad_request', closed: true },
  },
  {
    name: 'a request head that never ends → closed at the headers timeout',
    send: paced(raw('GET http://ok.lab.test/ HTTP/1.1\r\nHost: ok.lab.test\r\nX-Slow: a'), {
      timeoutMs: 5000,
    }),
    expect: {
      status: 408,
      reason: 'bad_request',
      closed: true,
      check: (o) => within(o.ms, SETTINGS.headersMs, SETTINGS.headersMs),
    },
  },
  {
    name: 'an idle keep-alive connection → closed after the idle timeout',
    send: paced(raw('GET http://alive.lab.test/idle HTTP/1.1\r\nHost: x\r\n\r\n'), { timeoutMs: 5000 }),
    expect: {
      status: 200,
      reason: 'allowed',
      closed: true,
      reaches: true,
      check: (o) => within(o.ms, SETTINGS.idleMs, SETTINGS.idleMs + SETTINGS.headersMs),
    },
  },
  {
    name: 'a destination that never answers the SYN → 504 at the connect timeout',
    send: paced(get('http://blackhole.lab.test/'), { timeoutMs: 5000 }),
    expect: {
      status: 504,
      reason: 'upstream_timeout',
      dns: ['blackhole.lab.test'],
      check: (o) => within(o.ms, SETTINGS.connectMs, SETTINGS.connectMs),
    },
  },
  {
    name: 'an idle tunnel → closed after the tunnel idle timeout',
    send: paced(connect('ok.lab.test:80'), { timeoutMs: 5000 }),
    expect: {
      status: 200,
      reason: 'allowed',
      closed: true,
      dns: ['ok.lab.test'],
      check: (o) => within(o.ms, SETTINGS.tunnelIdleMs, SETTINGS.tunnelIdleMs),
    },
  },
  {
    name: `a client over its ${TIGHT.maxConnectionsPerClient}-connection cap → 429 with Retry-After`,
    tight: true,
    send: overCap([['10.99.2.10', TIGHT.maxConnectionsPerClient]], '10.99.2.10'),
    expect: { status: 429, reason: 'limit_exceeded', closed: true, check: retryAfter(CONNECTION_CAP) },
  },
  {
    name: `the proxy over its ${TIGHT.maxConnections}-connection total cap → 429 with Retry-After`,
    tight: true,
    send: overCap(
      [
        ['10.99.2.11', TIGHT.maxConnectionsPerClient],
        ['10.99.2.12', TIGHT.maxConnections - TIGHT.maxConnectionsPerClient],
      ],
      '10.99.2.13',
    ),
    expect: { status: 429, reason: 'limit_exceeded', closed: true, check: retryAfter(CONNECTION_CAP) },
  },
  {
    name: 'open tunnels count against the per-client connection cap → 429 for one more CONNECT',
    tight: true,
    send: overCap(
      [
        ['10.99.2.14', TIGHT.maxTunnelsPerClient, TUNNEL],
        ['10.99.2.14', TIGHT.maxConnectionsPerClient - TIGHT.maxTunnelsPerClient],
      ],
      '10.99.2.14',
      TUNNEL,
    ),
    expect: {
      status: 429,
      reason: 'limit_exceeded',
      closed: true,
      dns: ['ok.lab.test'],
      check: retryAfter(CONNECTION_CAP),
    },
  },
  {
    name: `a client over its ${TIGHT.maxTunnelsPerClient}-tunnel cap (limits.maxTunnelsPerClient) → 429 before any DNS or dial`,
    tight: true,
    send: overCap([['10.99.2.30', TIGHT.maxTunnelsPerClient, TUNNEL]], '10.99.2.30', TUNNEL),
    expect: {
      status: 429,
      reason: 'limit_exceeded',
      closed: true,
      dns: ['ok.lab.test'],
      check: (o, seen, records) => {
        retryAfter(CLIENT_TUNNEL_CAP)?.(o, seen, records);
        const refused = records.filter((r) => r.reason === 'limit_exceeded');
        assert.deepEqual(
          refused.map((r) => [r.client, r.method, r.host, r.status, r.resolved]),
          [['10.99.2.30', 'CONNECT', 'ok.lab.test', 429, null]],
          'one record, for a CONNECT that was never resolved or dialled',
        );
      },
    },
  },
  {
    name: `the proxy over its ${TIGHT.maxTunnels}-tunnel total cap (limits.maxTunnels) → 429 for any client`,
    tight: true,
    send: overCap(
      [
        ['10.99.2.31', TIGHT.maxTunnelsPerClient, TUNNEL],
        ['10.99.2.32', TIGHT.maxTunnels - TIGHT.maxTunnelsPerClient, TUNNEL],
      ],
      '10.99.2.33',
      TUNNEL,
    ),
    expect: {
      status: 429,
      reason: 'limit_exceeded',
      closed: true,
      dns: ['ok.lab.test'],
      check: retryAfter(TUNNEL_CAP),
    },
  },
  {
    name: 'open WebSocket relays count against the tunnel caps → 429 for one more upgrade',
    tight: true,
    send: overCap([['10.99.2.34', TIGHT.maxTunnelsPerClient, WEBSOCKET]], '10.99.2.34', WEBSOCKET),
    expect: {
      status: 429,
      reason: 'limit_exceeded',
      closed: true,
      dns: ['ok.lab.test'],
      reaches: true,
      check: retryAfter(CLIENT_TUNNEL_CAP),
    },
  },
  {
    name: 'a CONNECT denied by policy while the tunnel cap is full → 403 (decided before counting)',
    tight: true,
    send: overCap(
      [['10.99.2.35', TIGHT.maxTunnelsPerClient, TUNNEL]],
      '10.99.2.35',
      'CONNECT denied.example:443 HTTP/1.1\r\nHost: denied.example:443\r\n\r\n',
    ),
    expect: { status: 403, reason: 'not_allowlisted', closed: true, dns: ['ok.lab.test'] },
  },
  {
    name: `a slowloris flood (${FLOOD_SOURCES.length}×${FLOOD_PER_SOURCE} dribbling heads) → bounded memory; a normal request gets through`,
    send: steps(async (ctx) => {
      const r = await ctx.h.call('slowloris', {
        proxy: ctx.proxy,
        sources: FLOOD_SOURCES,
        perSource: FLOOD_PER_SOURCE,
        durationMs: SETTINGS.headersMs * 2.5,
      });
      assert.ok(r.refused429 > 0, 'connections over the per-client cap got 429');
      assert.equal(
        r.closedByProxy + r.refused429,
        r.opened,
        'the proxy cut every dribbling connection in time',
      );
      assert.ok(r.heapGrowthBytes < 48 * 1024 * 1024, `heap grew by ${r.heapGrowthBytes} bytes`);
      return outcomeOf(r.normal.text, r.normal.closed, r.normal.ms);
    }),
    expect: { status: 200, reason: 'allowed', closed: true, reaches: true },
  },
];
