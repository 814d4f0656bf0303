/**
 * @module proxy/request-target.test
 * The absolute-form target parser: what it accepts and how it reads it, what it refuses, and that
 * the kept authorities change nothing (the same answer on the first and the hundredth time, per
 * scheme, and never for an authority that failed).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CordonError } from '../errors.js';
import { parseAbsoluteTarget } from './request-target.js';

const ACCEPTED: [string, { scheme: string; host: string; isIp: boolean; port: number; path: string }][] = [
  [
    'http://example.com/a?b=1',
    { scheme: 'http', host: 'example.com', isIp: false, port: 80, path: '/a?b=1' },
  ],
  ['http://example.com', { scheme: 'http', host: 'example.com', isIp: false, port: 80, path: '/' }],
  ['http://example.com?q', { scheme: 'http', host: 'example.com', isIp: false, port: 80, path: '/?q' }],
  ['HTTP://Example.COM:8080/x', { scheme: 'http', host: 'example.com', isIp: false, port: 8080, path: '/x' }],
  ['https://example.com/', { scheme: 'https', host: 'example.com', isIp: false, port: 443, path: '/' }],
  ['ws://example.com/s', { scheme: 'ws', host: 'example.com', isIp: false, port: 80, path: '/s' }],
  ['ftp://example.com/f', { scheme: 'ftp', host: 'example.com', isIp: false, port: 0, path: '/f' }],
  ['http://example.com./', { scheme: 'http', host: 'example.com', isIp: false, port: 80, path: '/' }],
  ['http://0x7f.1:81/', { scheme: 'http', host: '127.0.0.1', isIp: true, port: 81, path: '/' }],
  ['http://[::1]:8080/p', { scheme: 'http', host: '::1', isIp: true, port: 8080, path: '/p' }],
  ['http://b\u00fccher.de/', { scheme: 'http', host: 'xn--bcher-kva.de', isIp: false, port: 80, path: '/' }],
  [
    'http://example.com/a:b//c?d=/e',
    { scheme: 'http', host: 'example.com', isIp: false, port: 80, path: '/a:b//c?d=/e' },
  ],
];

const REFUSED: [string, RegExp][] = [
  ['example.com/a', /not an absolute/],
  ['://example.com/', /not an absolute/],
  ['1http://example.com/', /not an absolute/],
  ['ht_tp://example.com/', /not an absolute/],
  ['http:/example.com/', /not an absolute/],
  ['http:example.com', /not an absolute/],
  ['http://example.com/#frag', /not an absolute/],
  ['http://exa#mple.com/', /not an absolute/],
  ['http://user@example.com/', /userinfo/],
  ['http://user:pw@example.com/', /userinfo/],
  ['http://example.com/a\\b', /backslash/],
  ['http://example.com:0/', /invalid port/],
  ['http://example.com:65536/', /invalid port/],
  ['http://example.com:0x50/', /invalid port/],
  ['http://example.com:080/', /invalid port/],
  ['http://[::1/', /IPv6/],
  ['http:///path', /invalid host|empty/],
  ['http://exa mple.com/', /invalid host/],
];

function refusal(url: string): string {
  try {
    parseAbsoluteTarget(url);
  } catch (e: unknown) {
    assert.ok(e instanceof CordonError, `${url}: ${String(e)}`);
    return e.message;
  }
  return 'accepted';
}

describe('parseAbsoluteTarget', () => {
  it('returns null for origin-form', () => {
    assert.equal(parseAbsoluteTarget('/path'), null);
  });

  it('reads the scheme, canonical host, port and path of every accepted target, the first time and again', () => {
    for (let round = 0; round < 3; round++) {
      for (const [url, want] of ACCEPTED)
        assert.deepEqual(parseAbsoluteTarget(url), want, `${url} (round ${round})`);
    }
  });

  it('refuses malformed targets, the first time and again', () => {
    for (let round = 0; round < 2; round++) {
      for (const [url, why] of REFUSED) assert.match(refusal(url), why, `${url} (round ${round})`);
    }
  });

  it("keeps an authority per scheme: the same text under another scheme gets that scheme's port", () => {
    assert.equal(parseAbsoluteTarget('http://kept.example/')?.port, 80);
    assert.equal(parseAbsoluteTarget('https://kept.example/')?.port, 443);
    assert.equal(parseAbsoluteTarget('http://kept.example/')?.port, 80);
  });

  it('an authority that failed is refused again, whatever came between', () => {
    assert.match(refusal('http://bad host/'), /invalid host/);
    assert.equal(parseAbsoluteTarget('http://good.example/')?.host, 'good.example');
    assert.match(refusal('http://bad host/'), /invalid host/);
  });

  it('stays correct past the bound on kept authorities', () => {
    for (let i = 0; i < 2500; i++) {
      const t = parseAbsoluteTarget(`http://h${i}.example:${1000 + i}/p${i}`);
      assert.deepEqual(t, {
        scheme: 'http',
        host: `h${i}.example`,
        isIp: false,
        port: 1000 + i,
        path: `/p${i}`,
      });
    }
    assert.deepEqual(parseAbsoluteTarget('http://h7.example:1007/again'), {
      scheme: 'http',
      host: 'h7.example',
      isIp: false,
      port: 1007,
      path: '/again',
    });
  });

  it('hands out a fresh target each time (callers may not share one)', () => {
    const a = parseAbsoluteTarget('http://fresh.example/a');
    const b = parseAbsoluteTarget('http://fresh.example/a');
    assert.notEqual(a, b);
    assert.deepEqual(a, b);
  });
});
