/**
 * Property tests for the SNI check's two sides: the server name the ClientHello reader reports and
 * the CONNECT host `parseAuthority` reports are compared as plain strings (proxy/tunnel), so both
 * must be in the same canonical form. Any spelling of a name (case, trailing dot) gives the same
 * string on both sides; a name the reader accepts is already canonical; different names never
 * compare equal. Pure: runs without root.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAuthority } from '../../src/net/authority.js';
import { parseClientHello } from '../../src/net/client-hello.js';
import { buildClientHello } from '../../src/net/test-client-hello.js';
import { canonicalHost } from '../../src/policy/host.js';

/** The reader's server name; undefined when it refuses the ClientHello. */
const sniOf = (name: string | Buffer): string | null | undefined => {
  const r = parseClientHello(buildClientHello({ sni: [name] }));
  return r.kind === 'hello' ? r.sni : undefined;
};

/** A random mix of upper and lower case, and maybe a trailing dot. */
const spelling = (d: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.array(fc.boolean(), { minLength: d.length, maxLength: d.length }), fc.boolean())
    .map(
      ([upper, dot]) => [...d].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + (dot ? '.' : ''),
    );

void test('any spelling of a name gives the same string in the SNI and in the CONNECT host', () => {
  fc.assert(
    fc.property(
      fc.domain().chain((d) => fc.tuple(fc.constant(d), spelling(d), spelling(d))),
      ([d, inHello, inConnect]) => {
        const canonical = canonicalHost(d).host;
        assert.equal(sniOf(inHello), canonical, inHello);
        assert.equal(parseAuthority(`${inConnect}:443`).host, canonical, inConnect);
      },
    ),
    { numRuns: 3000 },
  );
});

void test('a server name the reader accepts is already canonical, and distinct names stay distinct', () => {
  const unit = fc.constantFrom(...'abz09-_.AZ'.split(''), '\0', ' ', '%', '@', '\\', 'ü', '*', ':');
  const raw = fc.oneof(fc.string({ unit, minLength: 1, maxLength: 20 }), fc.domain());
  fc.assert(
    fc.property(raw, raw, (a, b) => {
      const sa = sniOf(Buffer.from(a, 'latin1'));
      if (sa === undefined || sa === null) return;
      let c: ReturnType<typeof canonicalHost>;
      try {
        c = canonicalHost(sa);
      } catch {
        return; // the CONNECT side could never produce it, so it can never match
      }
      if (!c.isIp) assert.equal(c.host, sa, `reader accepted a non-canonical name ${JSON.stringify(a)}`);
      const sb = sniOf(Buffer.from(b, 'latin1'));
      if (sb === sa) assert.equal(canonicalHost(b).host, c.host, `${a} and ${b} compare equal`);
    }),
    { numRuns: 5000 },
  );
});
