import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CordonError } from '../errors.js';
import { formatAuthority, parseAuthority, parseHostHeader, type Authority } from './authority.js';

const tricky = fc.constantFrom(...'.:[]@/\\%#?! \t\r\n\0-_xX0189aZß\u00ad\u200b\u3002\uff0e'.split(''));
const hostish = fc.oneof(
  fc.domain(),
  fc.ipV4(),
  fc.ipV4Extended(),
  fc.ipV6().map((ip) => `[${ip}]`),
  fc.string({ unit: tricky, maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.tuple(fc.domain(), fc.constantFrom('.', '..', '\u3002')).map(([d, dot]) => d + dot),
);
const portish = fc.oneof(
  fc.integer({ min: -5, max: 70000 }).map(String),
  fc.constantFrom('0', '00', '080', '+80', ' 80', '1e3', '0x50', ''),
  fc.string({ unit: tricky, maxLength: 6 }),
);
const authorityish = fc.oneof(
  fc.tuple(hostish, portish).map(([h, p]) => `${h}:${p}`),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: tricky, maxLength: 30 }),
);

function check(input: string, parse: (s: string) => Authority): void {
  let got: Authority;
  try {
    got = parse(input);
  } catch (e: unknown) {
    assert.ok(
      e instanceof CordonError,
      `threw a non-Cordon error for ${JSON.stringify(input)}: ${String(e)}`,
    );
    assert.equal(e.name, 'NetError');
    return;
  }
  assert.ok(Number.isInteger(got.port) && got.port >= 1 && got.port <= 65535);
  assert.ok(got.host.length > 0);
  assert.equal(got.isIp, got.family !== 0);
  // The canonical form is a fixed point: what the proxy logs and dials parses back to itself.
  assert.deepEqual(parseAuthority(formatAuthority(got.host, got.port)), got, JSON.stringify(input));
}

void test('parseAuthority: only coded errors, and canonical output round-trips', () => {
  fc.assert(
    fc.property(authorityish, (s) => check(s, parseAuthority)),
    { numRuns: 5000 },
  );
});

void test('parseHostHeader: only coded errors, and canonical output round-trips', () => {
  fc.assert(
    fc.property(fc.oneof(authorityish, hostish), (s) => check(s, (v) => parseHostHeader(v, 80))),
    { numRuns: 3000 },
  );
});
