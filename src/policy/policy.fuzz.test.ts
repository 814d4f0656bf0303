/**
 * @module policy/policy.fuzz.test
 * Property tests for the pure policy part: `canonicalHost()` fails only with its coded error and is a
 * fixed point; `DomainSet` agrees with a plain reference of squid `dstdomain`; `decide()` is
 * deterministic and decides on the canonical form. Runs are bounded to keep the file under ~5 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CordonError } from '../errors.js';
import { compilePolicy } from './compile.js';
import { decide } from './decide.js';
import { createDomainSet } from './domain-set.js';
import { canonicalHost, HOST_ERRORS, type CanonicalHost } from './host.js';
import type { AllowEntry, DecisionInput, PolicySpec } from './types.js';

// Characters that exercise every branch of host parsing: IPv4 spellings, IDN, brackets, smuggling.
const HOST_CHARS = [
  ...'aAzZ09178xX.-_:[]%@\\/# ',
  'ü',
  'Ü',
  'ß',
  '。',
  '１',
  'ｅ',
  '\u00ad',
  '\u200b',
  '\u0000',
  '*',
  '"',
];

const rawHost: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: fc.constantFrom(...HOST_CHARS), maxLength: 30 }),
  fc.domain(),
  fc.webAuthority(),
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6().map((v6) => `[${v6}]`),
  fc.ipV4().map((v4) => `[::ffff:${v4}]`),
  fc.tuple(fc.domain(), fc.constantFrom('.', '..', ':80', '%2e', '@x')).map(([d, s]) => d + s),
);

/** The text form `canonicalHost()` accepts for a canonical host: IPv6 back in brackets. */
const reparseable = (c: CanonicalHost): string => (c.family === 6 ? `[${c.host}]` : c.host);

function tryCanonical(raw: string): CanonicalHost | null {
  try {
    return canonicalHost(raw);
  } catch (e: unknown) {
    assert.ok(e instanceof CordonError, `non-Cordon error for ${JSON.stringify(raw)}`);
    assert.equal(e.code, HOST_ERRORS.invalid);
    return null;
  }
}

test('canonicalHost throws only its coded error, and its result is a fixed point', () => {
  fc.assert(
    fc.property(rawHost, (raw) => {
      const first = tryCanonical(raw);
      if (first === null) return;
      assert.deepEqual(canonicalHost(reparseable(first)), first, JSON.stringify(raw));
      assert.equal(first.isIp, first.family !== 0);
      assert.ok(first.host.length > 0 && first.host.length <= 253);
      if (!first.isIp) assert.match(first.host, /^[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*$/);
    }),
    { numRuns: 10000 },
  );
});

// Small alphabet and short labels, so that hosts and entries share suffixes often.
const label = fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 1, maxLength: 2 });
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const entryValue = fc.tuple(fc.constantFrom('', '.', '*.'), name).map(([prefix, d]) => prefix + d);

/** squid dstdomain, written the obvious way. */
function referenceMatches(entry: string, host: string): boolean {
  if (entry.startsWith('*.')) return host.endsWith(`.${entry.slice(2)}`);
  if (entry.startsWith('.')) return host === entry.slice(1) || host.endsWith(entry);
  return host === entry;
}

test('DomainSet agrees with a reference dstdomain matcher', () => {
  fc.assert(
    fc.property(fc.array(entryValue, { maxLength: 6 }), name, (values, host) => {
      const entries: AllowEntry[] = values.map((value, i) => ({ value, source: `fuzz:${i + 1}` }));
      const hit = createDomainSet(entries).matchHost(host);
      const expected = values.some((v) => referenceMatches(v, host));
      assert.equal(hit !== null, expected, `${host} against ${values.join(' ')}`);
      if (hit !== null) {
        assert.ok(referenceMatches(hit.value, host), `${host} reported ${hit.value}`);
        assert.ok(entries.includes(hit), 'returns one of the given entries');
      }
    }),
    { numRuns: 5000 },
  );
});

test('a single entry matches exactly as squid dstdomain says', () => {
  fc.assert(
    fc.property(name, name, (d, host) => {
      const longer = host.length > d.length;
      const under = host.endsWith(`.${d}`);
      const match = (value: string): boolean =>
        createDomainSet([{ value, source: 'fuzz' }]).matchHost(host) !== null;
      assert.equal(match(d), host === d);
      assert.equal(match(`.${d}`), host === d || under);
      assert.equal(match(`*.${d}`), under && longer);
    }),
    { numRuns: 3000 },
  );
});

const SPEC: PolicySpec = {
  clients: ['10.0.0.0/8', '::1/128'],
  groups: [
    {
      name: 'team',
      clients: ['10.1.0.0/16'],
      mode: 'report',
      http: { ports: [80], allow: [{ value: '.a', source: 'team:1' }] },
      https: { ports: [443], allow: [{ value: '127.0.0.0/8', source: 'team:2' }] },
    },
    {
      name: 'default',
      clients: ['0.0.0.0/0', '::/0'],
      mode: 'enforce',
      http: { ports: [80, 8080], allow: [{ value: 'example.com', source: 'http:1' }] },
      https: {
        ports: [443],
        allow: [
          { value: '.xn--bcher-kva.de', source: 'https:1' },
          { value: '*.b', source: 'https:2' },
          { value: '127.0.0.1', source: 'https:3' },
          { value: '2001:db8::/32', source: 'https:4' },
          { value: 'a.b', source: 'https:5' },
        ],
      },
    },
  ],
};
const POLICY = compilePolicy(SPEC, 1);

const decisionShape = fc.record({
  client: fc.constantFrom('10.1.2.3', '10.9.9.9', '::1', '192.168.0.1', '::ffff:10.1.0.1'),
  scheme: fc.constantFrom('http' as const, 'https' as const),
  port: fc.constantFrom(80, 443, 8080, 22),
});

test('decide is deterministic and decides on the canonical form', () => {
  fc.assert(
    fc.property(rawHost, decisionShape, fc.integer({ min: 0, max: 4e12 }), (raw, shape, nowMs) => {
      const first = tryCanonical(raw);
      if (first === null) return;
      const again = canonicalHost(reparseable(first));
      const asInput = (c: CanonicalHost): DecisionInput => ({ ...shape, host: c.host, isIp: c.isIp });
      const decision = decide(POLICY, asInput(first), nowMs);
      assert.deepEqual(decide(POLICY, asInput(first), nowMs), decision);
      assert.deepEqual(decide(POLICY, asInput(again), nowMs), decision, JSON.stringify(raw));
      assert.equal(decision.wouldDeny, decision.allow && decision.reason !== 'allowed');
    }),
    { numRuns: 6000 },
  );
});
