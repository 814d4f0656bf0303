/**
 * Allowlist entries: the accepted forms and their canonical values, every rejection with its fix,
 * and the seed's file format (comments, blank lines, CRLF, BOM, sources with line numbers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllowlist, scanAllowlist, validateAllowEntry } from './allowlist.js';
import { CONFIG_ERRORS, ConfigError } from './errors.js';

describe('validateAllowEntry accepts', () => {
  const cases: [input: string, canonical: string][] = [
    ['example.com', 'example.com'],
    ['.example.com', '.example.com'],
    ['*.example.com', '*.example.com'],
    ['  Example.COM.  ', 'example.com'],
    ['.Bücher.de', '.xn--bcher-kva.de'],
    ['under_score.example.com', 'under_score.example.com'],
    ['203.0.113.7', '203.0.113.7'],
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    // Exact hosts are one host, even when the name is itself a suffix.
    ['github.io', 'github.io'],
    // Wide, but accepted so that lint can say what to write instead.
    ['.amazonaws.com', '.amazonaws.com'],
    ['.s3.amazonaws.com', '.s3.amazonaws.com'],
    ['.githubusercontent.com', '.githubusercontent.com'],
    ['.my-bucket.s3.amazonaws.com', '.my-bucket.s3.amazonaws.com'],
  ];
  for (const [input, canonical] of cases) {
    it(`${JSON.stringify(input)} → ${canonical}`, () => {
      const r = validateAllowEntry(input, 'test:1');
      assert.ok(r.ok, r.ok ? '' : `${r.message} — ${r.fix}`);
      assert.deepEqual(r.entry, { value: canonical, source: 'test:1' });
      assert.ok(Object.isFrozen(r.entry));
    });
  }
});

describe('validateAllowEntry rejects, saying what to write', () => {
  const cases: [input: string, message: RegExp, fix: RegExp, code?: string][] = [
    ['*', /every destination/, /list the domains/],
    ['.', /every destination/, /list the domains/],
    ['*example.com', /leading \*\./, /use \.example\.com/],
    ['foo*.com', /leading \*\./, /^list each host you need$/],
    ['*.*.example.com', /leading \*\./, /or \.example\.com for the whole domain/],
    ['*.s3.*.amazonaws.com', /leading \*\./, /name each bucket/],
    ['https://x.example.org/y', /not a URL/, /^use x\.example\.org$/],
    ['http://[2001:db8::1]:8080/', /not a URL/, /^use 2001:db8::1$/],
    ['example.org/path', /paths cannot be allowlisted/, /^use example\.org$/],
    ['example.org:443', /ports do not belong/, /use example\.org and list the port/],
    ['203.0.113.7:80', /ports do not belong/, /use 203\.0\.113\.7/],
    ['[2001:db8::1]', /without brackets/, /use 2001:db8::1/],
    ['10.1.2.3/8', /host bits/, /use 10\.0\.0\.0\/8/],
    ['0.0.0.0/0', /every address/, /list the addresses/],
    ['10.0.0.0/33', /not a valid CIDR/, /prefix length/],
    ['1.2.3', /not a valid IP/, /10\.0\.0\.5/],
    ['010.0.0.1', /not a valid IP/, /10\.0\.0\.5/],
    ['0x7f.1', /dotted-decimal/, /use 127\.0\.0\.1/],
    ['.10.0.0.1', /applies to domain names, not addresses/, /use 10\.0\.0\.1/],
    ['a b', /one entry per line/, /own line/],
    ['exa$mple.com', /not a valid host name/, /example\.org/],
    ['example..com', /not a valid host name/, /example\.org/],
    ['.com', /public suffix com/, /\.example\.com/, CONFIG_ERRORS.publicSuffix],
    ['.co.uk', /public suffix co\.uk/, /\.example\.co\.uk/, CONFIG_ERRORS.publicSuffix],
    ['*.github.io', /public suffix github\.io/, /\*\.example\.github\.io/, CONFIG_ERRORS.publicSuffix],
    ['.us-east-1.amazonaws.com', /public suffix/, /name the domain/, CONFIG_ERRORS.publicSuffix],
  ];
  for (const [input, message, fix, code = CONFIG_ERRORS.allowlist] of cases) {
    it(JSON.stringify(input), () => {
      const r = validateAllowEntry(input, 'test:1');
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.match(r.message, message);
      assert.match(r.fix, fix);
      assert.equal(r.code, code);
    });
  }
});

describe('allowlist files', () => {
  it('reads entries with file:line sources, skipping comments and blank lines, tolerating CRLF and BOM', () => {
    const text =
      '\uFEFF# header\r\n.example.org\r\n\r\n  foo.example.net   # trailing comment\r\n#.off.example\r\n';
    const { entries, issues } = scanAllowlist(text, '/etc/cordon/allowhttps.txt', 'allowhttps.txt');
    assert.deepEqual(issues, []);
    assert.deepEqual(entries, [
      { value: '.example.org', source: 'allowhttps.txt:2' },
      { value: 'foo.example.net', source: 'allowhttps.txt:4' },
    ]);
  });

  it('reports every bad line with file, line, value and fix', () => {
    const text = 'ok.example.org\n.com\nhttps://a.example.org/\n';
    const { entries, issues } = scanAllowlist(text, '/x/allow.txt');
    assert.equal(entries.length, 1);
    assert.deepEqual(
      issues.map((i) => [i.file, i.line, i.value, i.code]),
      [
        ['/x/allow.txt', 2, '.com', CONFIG_ERRORS.publicSuffix],
        ['/x/allow.txt', 3, 'https://a.example.org/', CONFIG_ERRORS.allowlist],
      ],
    );
    assert.ok(issues.every((i) => typeof i.fix === 'string' && i.fix.length > 0));
  });

  it('parseAllowlist throws one ConfigError listing every bad line as file:line', () => {
    assert.throws(
      () => parseAllowlist('.com\nfoo*.org\n', '/x/allow.txt'),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.issues.length, 2);
        assert.match(e.message, /\/x\/allow\.txt:1: .*public suffix com \(got "\.com"\) — fix: /);
        assert.match(e.message, /\/x\/allow\.txt:2: .*\(got "foo\*\.org"\) — fix: list each host/);
        assert.equal(e.code, CONFIG_ERRORS.invalid);
        return true;
      },
    );
  });
});
