/**
 * Property tests for the absolute-form request-target parser (`parseAbsoluteTarget`, `splitHostPort`):
 * it fails only with its coded errors; what it accepts is canonical and reads back to itself when
 * re-serialised; no userinfo, backslash or percent-encoding gets through to a host; every spelling
 * of an IPv4 address becomes that one address; and the decision made on the parsed target is the
 * decision made on its canonical form. Pure: no sockets, runs without root.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CordonError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';
import { decide } from '../../src/policy/decide.js';
import { canonicalHost, HOST_ERRORS } from '../../src/policy/host.js';
import type { DecisionInput, PolicySpec } from '../../src/policy/types.js';
import { PROXY_ERRORS } from '../../src/proxy/errors.js';
import { hostHeaderFor } from '../../src/proxy/headers.js';
import { parseAbsoluteTarget, splitHostPort, type AbsoluteTarget } from '../../src/proxy/request-target.js';

const TRICKY = [...'.:[]@/\\%#?! \t-_xX0189aAzZ', 'ß', 'ü', '\u3002', '\uff0e', '\u00ad', '\0'];
const tricky = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 24 });
const scheme = fc.constantFrom('http', 'HTTP', 'https', 'ftp', 'ws', 'gopher', 'file', 'h\\ttp', '');
const host = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6().map((ip) => `[${ip}]`),
  fc.ipV4().map((ip) => `[::ffff:${ip}]`),
  tricky,
  fc
    .tuple(fc.domain(), fc.constantFrom('@', '\\', '%2e', '%40', '#', '.', '..', ':'), fc.domain())
    .map(([a, sep, b]) => a + sep + b),
);
const port = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 0, max: 70000 }).map((n) => `:${n}`),
  fc.constantFrom(':', ':080', ':+80', ':0x50', ': 80', ':80:80', ':1e2'),
);
const rest = fc.oneof(
  fc.constant(''),
  fc.webPath(),
  fc.webQueryParameters().map((q) => `?${q}`),
  tricky,
);
const target = fc.oneof(
  fc.tuple(scheme, host, port, rest).map(([s, h, p, r]) => `${s}://${h}${p}${r}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ maxLength: 40 }),
  tricky,
);

const ALLOWED_CODES: readonly string[] = [PROXY_ERRORS.badRequest, HOST_ERRORS.invalid];

function parse(url: string): AbsoluteTarget | null | 'refused' {
  try {
    return parseAbsoluteTarget(url);
  } catch (e: unknown) {
    assert.ok(e instanceof CordonError, `non-Cordon error for ${JSON.stringify(url)}: ${String(e)}`);
    assert.ok(ALLOWED_CODES.includes(e.code), `${e.code} for ${JSON.stringify(url)}`);
    return 'refused';
  }
}

const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

/** The target written back out in absolute form, as the proxy would log or re-send it. */
const reserialise = (t: AbsoluteTarget): string =>
  `${t.scheme}://${hostHeaderFor(t.host, t.port, DEFAULT_PORT[t.scheme] ?? -1)}${t.path}`;

const POLICY = compilePolicy(
  {
    clients: ['10.0.0.0/8'],
    groups: [
      {
        name: 'default',
        clients: ['10.0.0.0/8'],
        mode: 'enforce',
        http: {
          ports: [80, 8080],
          allow: ['.example.com', 'a.b', '203.0.113.10', '127.0.0.0/8', '2001:db8::/32'].map((value, i) => ({
            value,
            source: `fuzz:${i + 1}`,
          })),
        },
        https: { ports: [443], allow: [] },
      },
    ],
  } satisfies PolicySpec,
  1,
);

const inputOf = (t: AbsoluteTarget): DecisionInput => ({
  client: '10.1.2.3',
  scheme: 'http',
  host: t.host,
  port: t.port,
  isIp: t.isIp,
});

void test('parseAbsoluteTarget: only coded errors; accepted targets are canonical and read back to themselves', () => {
  fc.assert(
    fc.property(target, (url) => {
      const t = parse(url);
      if (t === 'refused') return;
      if (t === null) return assert.ok(url.startsWith('/'), 'null only for origin-form');
      // Schemes without a default port (ftp, gopher…) may come back with port 0; admission refuses them.
      const lowest = DEFAULT_PORT[t.scheme] === undefined ? 0 : 1;
      assert.ok(Number.isInteger(t.port) && t.port >= lowest && t.port <= 65535, `port ${t.port}`);
      assert.ok(t.path.startsWith('/') && !t.path.includes('#') && !t.path.includes('\\'), t.path);
      assert.match(t.scheme, /^[a-z][a-z0-9+.-]*$/);
      const again = canonicalHost(t.isIp && t.host.includes(':') ? `[${t.host}]` : t.host);
      assert.deepEqual(
        { host: again.host, isIp: again.isIp },
        { host: t.host, isIp: t.isIp },
        'host is canonical',
      );
      assert.ok(!/[@\\%#/?\s]/.test(t.host), `smuggling character in ${t.host}`);
      const authority = /^[^:]*:\/\/([^/?#]*)/.exec(url)?.[1] ?? '';
      assert.ok(!authority.includes('@') && !authority.includes('\\'), `accepted authority ${authority}`);
      if (DEFAULT_PORT[t.scheme] !== undefined) {
        const back = parseAbsoluteTarget(reserialise(t));
        assert.deepEqual(back, t, `${url} → ${reserialise(t)}`);
        assert.deepEqual(decide(POLICY, inputOf(back), 0), decide(POLICY, inputOf(t), 0));
      }
    }),
    { numRuns: 8000 },
  );
});

void test('splitHostPort: a port is plain decimal 1–65535 or refused', () => {
  const portText = fc
    .oneof(fc.integer({ min: -10, max: 70000 }).map(String), tricky, fc.string({ maxLength: 7 }))
    .filter((p) => !p.includes(':'));
  fc.assert(
    fc.property(fc.domain(), portText, (h, p) => {
      let got: { host: string; port: number };
      try {
        got = splitHostPort(`${h}:${p}`, 80);
      } catch (e: unknown) {
        assert.ok(e instanceof CordonError && e.code === PROXY_ERRORS.badRequest, String(e));
        return;
      }
      if (p === '') return assert.equal(got.port, 80);
      assert.equal(String(got.port), p, 'exactly one spelling per port');
      assert.ok(got.port >= 1 && got.port <= 65535);
    }),
    { numRuns: 5000 },
  );
});

/** Ways to write one IPv4 address that WHATWG host parsing (and so inet_aton) accepts. */
function spellings(n: number): string[] {
  const b = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255] as const;
  return [
    b.join('.'),
    String(n),
    `0x${n.toString(16)}`,
    `0${n.toString(8)}`,
    b.map((x) => `0x${x.toString(16)}`).join('.'),
    b.map((x) => `0${x.toString(8)}`).join('.'),
    `${b[0]}.${n & 0xffffff}`,
    `${b[0]}.${b[1]}.${n & 0xffff}`,
    `${b.join('.')}.`,
  ];
}

void test('every IPv4 spelling is that one address, with one decision', () => {
  const interesting = fc.constantFrom(0x7f000001, 0xa9fea9fe, 0xcb00710a, 0x0a000001, 0, 0xffffffff);
  fc.assert(
    fc.property(fc.oneof(interesting, fc.nat({ max: 0xffffffff })), (n) => {
      const dotted = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
      const expected = decide(
        POLICY,
        { client: '10.1.2.3', scheme: 'http', host: dotted, port: 80, isIp: true },
        0,
      );
      for (const s of spellings(n)) {
        const t = parse(`http://${s}/x`);
        assert.ok(t !== null && t !== 'refused', `${s} refused`);
        assert.deepEqual([t.host, t.isIp], [dotted, true], s);
        assert.deepEqual(decide(POLICY, inputOf(t), 0), expected, s);
      }
    }),
    { numRuns: 2000 },
  );
});
