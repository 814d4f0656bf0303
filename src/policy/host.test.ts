/**
 * @module policy/host.test
 * Table of named cases for `canonicalHost()`: each row is the canonical form (host, isIp, family) or
 * the coded error. Owns no fixtures; must not touch the network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHost, HOST_ERRORS, type CanonicalHost } from './host.js';
import { CordonError } from '../errors.js';

type Row = readonly [name: string, raw: string, expected: CanonicalHost | 'invalid'];

const name = (host: string): CanonicalHost => ({ host, isIp: false, family: 0 });
const v4 = (host: string): CanonicalHost => ({ host, isIp: true, family: 4 });
const v6 = (host: string): CanonicalHost => ({ host, isIp: true, family: 6 });

const CASES: readonly Row[] = [
  // Names: case, trailing dot, IDN.
  ['lowercase kept', 'example.com', name('example.com')],
  ['uppercase folded', 'Example.COM', name('example.com')],
  ['trailing dot dropped', 'example.com.', name('example.com')],
  ['uppercase with trailing dot', 'WWW.Example.Com.', name('www.example.com')],
  ['single label', 'localhost', name('localhost')],
  ['underscore kept', 'a_b.example.com', name('a_b.example.com')],
  ['IDN to punycode', 'bücher.de', name('xn--bcher-kva.de')],
  ['uppercase unicode IDN', 'BÜCHER.DE', name('xn--bcher-kva.de')],
  ['punycode passes through', 'xn--bcher-kva.de', name('xn--bcher-kva.de')],
  ['uppercase punycode folded', 'XN--BCHER-KVA.DE', name('xn--bcher-kva.de')],
  ['emoji IDN', '💩.la', name('xn--ls8h.la')],
  ['fullwidth letters mapped', 'ｅｘａｍｐｌｅ.com', name('example.com')],
  ['ideographic full stop is a dot', 'example。com', name('example.com')],
  ['soft hyphen ignored (UTS 46)', 'exa\u00admple.com', name('example.com')],
  ['invalid punycode', 'xn--a', 'invalid'],
  ['bare xn-- prefix', 'xn--', 'invalid'],
  // Every IPv4 spelling becomes the dotted quad.
  ['dotted quad', '127.0.0.1', v4('127.0.0.1')],
  ['decimal integer', '2130706433', v4('127.0.0.1')],
  ['octal first part', '0177.0.0.1', v4('127.0.0.1')],
  ['octal integer', '017700000001', v4('127.0.0.1')],
  ['hex two parts', '0x7f.1', v4('127.0.0.1')],
  ['hex integer', '0x7f000001', v4('127.0.0.1')],
  ['uppercase hex', '0X7F.0X0.0X0.0X1', v4('127.0.0.1')],
  ['short form a.b', '127.1', v4('127.0.0.1')],
  ['short form a.b.c', '127.0.1', v4('127.0.0.1')],
  ['trailing-dot IP', '127.0.0.1.', v4('127.0.0.1')],
  ['fullwidth digits are an IP', '１２７.０.０.１', v4('127.0.0.1')],
  ['metadata address in decimal', '2852039166', v4('169.254.169.254')],
  ['IPv4 part out of range', '256.0.0.1', 'invalid'],
  ['five IPv4 parts', '1.2.3.4.5', 'invalid'],
  ['name ending in a number', 'example.123', 'invalid'],
  ['name ending in hex', 'example.0x1', 'invalid'],
  // IPv6: bracketed only, compressed, no zone.
  ['bracketed loopback', '[::1]', v6('::1')],
  ['IPv6 compressed', '[0:0:0:0:0:0:0:1]', v6('::1')],
  ['IPv6 uppercase and zeros', '[2001:0DB8:0000:0000:0000:0000:0000:0001]', v6('2001:db8::1')],
  ['IPv6 longest zero run compressed', '[2001:db8:0:0:1:0:0:1]', v6('2001:db8::1:0:0:1')],
  ['IPv4-mapped IPv6', '[::ffff:127.0.0.1]', v6('::ffff:7f00:1')],
  ['IPv4-mapped IPv6 uppercase', '[::FFFF:7F00:1]', v6('::ffff:7f00:1')],
  ['zone ID percent-encoded', '[fe80::1%25eth0]', 'invalid'],
  ['zone ID raw', '[fe80::1%eth0]', 'invalid'],
  ['unbracketed IPv6', '::1', 'invalid'],
  ['unbracketed full IPv6', '2001:db8::1', 'invalid'],
  ['IPv4 in brackets', '[127.0.0.1]', 'invalid'],
  ['unclosed bracket', '[::1', 'invalid'],
  ['bracketed with port', '[::1]:443', 'invalid'],
  ['bracketed with empty port', '[::1]:', 'invalid'],
  ['text after bracket', '[::1]x', 'invalid'],
  // Smuggling and malformed input.
  ['name with port', 'example.com:80', 'invalid'],
  ['IPv4 with port', '127.0.0.1:80', 'invalid'],
  ['userinfo', 'a@b', 'invalid'],
  ['userinfo before allowed host', 'evil.test@example.com', 'invalid'],
  ['backslash', 'example.com\\evil.test', 'invalid'],
  ['slash', 'example.com/evil.test', 'invalid'],
  ['question mark', 'example.com?x', 'invalid'],
  ['hash', 'example.com#x', 'invalid'],
  ['percent-encoded letter', '%65xample.com', 'invalid'],
  ['percent-encoded dot', 'example%2ecom', 'invalid'],
  ['space inside', 'exa mple.com', 'invalid'],
  ['leading space', ' example.com', 'invalid'],
  ['tab', 'example.com\t', 'invalid'],
  ['newline', 'example.com\nx', 'invalid'],
  ['NUL', 'a\u0000b.com', 'invalid'],
  ['C0 control', '\u0001example.com', 'invalid'],
  ['DEL', 'example.com\u007f', 'invalid'],
  ['wildcard is not a host', '*.example.com', 'invalid'],
  ['quote', 'a"b.example.com', 'invalid'],
  ['semicolon', 'a;b.example.com', 'invalid'],
  ['comma', 'a,b.example.com', 'invalid'],
  ['brace', 'a{b}.example.com', 'invalid'],
  ['angle bracket', 'a<b.example.com', 'invalid'],
  ['empty', '', 'invalid'],
  ['only a dot', '.', 'invalid'],
  ['leading dot', '.example.com', 'invalid'],
  ['empty label inside', 'a..example.com', 'invalid'],
  ['two trailing dots', 'example.com..', 'invalid'],
  ['63-char label', `${'a'.repeat(63)}.com`, name(`${'a'.repeat(63)}.com`)],
  ['64-char label', `${'a'.repeat(64)}.com`, 'invalid'],
  ['IDN label over 63 once encoded', `${'ü'.repeat(60)}.de`, 'invalid'],
  ['253 chars', `${'a.'.repeat(126)}a`, name(`${'a.'.repeat(126)}a`)],
  ['253 chars plus trailing dot', `${'a.'.repeat(126)}a.`, name(`${'a.'.repeat(126)}a`)],
  ['254 chars', `${'a.'.repeat(126)}ab`, 'invalid'],
  ['far too long', 'a'.repeat(5000), 'invalid'],
];

for (const [caseName, raw, expected] of CASES) {
  test(`canonicalHost: ${caseName}`, () => {
    if (expected === 'invalid') {
      assert.throws(
        () => canonicalHost(raw),
        (e: unknown) => e instanceof CordonError && e.code === HOST_ERRORS.invalid,
      );
    } else {
      assert.deepEqual(canonicalHost(raw), expected);
    }
  });
}

test('canonicalHost: error message quotes the input and says why', () => {
  assert.throws(() => canonicalHost('[::1]:80'), /"\[::1\]:80".*port is not part of a host/);
  assert.throws(() => canonicalHost('a..b'), /empty label/);
});

test('canonicalHost: result is frozen-shape data, not a URL', () => {
  const result = canonicalHost('Example.com');
  assert.deepEqual(Object.keys(result).sort(), ['family', 'host', 'isIp']);
});
