import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatAuthority, parseAuthority, parseHostHeader, parsePort, type Authority } from './authority.js';

const name = (host: string, port: number): Authority => ({ host, port, isIp: false, family: 0 });
const v4 = (host: string, port: number): Authority => ({ host, port, isIp: true, family: 4 });
const v6 = (host: string, port: number): Authority => ({ host, port, isIp: true, family: 6 });

const VALID: [string, Authority][] = [
  ['example.com:443', name('example.com', 443)],
  ['Example.COM.:443', name('example.com', 443)],
  ['files.pythonhosted.org:1', name('files.pythonhosted.org', 1)],
  ['bücher.de:443', name('xn--bcher-kva.de', 443)],
  ['a:65535', name('a', 65535)],
  ['1.2.3.4:80', v4('1.2.3.4', 80)],
  ['0x7f.1:443', v4('127.0.0.1', 443)],
  ['2130706433:443', v4('127.0.0.1', 443)],
  ['017700000001:443', v4('127.0.0.1', 443)],
  ['[::1]:443', v6('::1', 443)],
  ['[::ffff:127.0.0.1]:443', v6('::ffff:7f00:1', 443)],
  ['[2001:DB8:0:0::1]:8443', v6('2001:db8::1', 8443)],
];

const INVALID: [string, string][] = [
  ['', 'CORDON_NET_BAD_AUTHORITY'],
  ['example.com', 'CORDON_NET_BAD_AUTHORITY'],
  ['example.com:', 'CORDON_NET_BAD_PORT'],
  ['example.com:0', 'CORDON_NET_BAD_PORT'],
  ['example.com:00443', 'CORDON_NET_BAD_PORT'],
  ['example.com:0443', 'CORDON_NET_BAD_PORT'],
  ['example.com:+443', 'CORDON_NET_BAD_PORT'],
  ['example.com:-1', 'CORDON_NET_BAD_PORT'],
  ['example.com:65536', 'CORDON_NET_BAD_PORT'],
  ['example.com:443 ', 'CORDON_NET_BAD_PORT'],
  ['example.com:4_43', 'CORDON_NET_BAD_PORT'],
  ['example.com:１２３', 'CORDON_NET_BAD_PORT'],
  ['example.com:443:443', 'CORDON_NET_BAD_AUTHORITY'],
  [' example.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['exa mple.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['user@example.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['user:pass@example.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['example.com/path:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['example.com:443/path', 'CORDON_NET_BAD_PORT'],
  ['evil.com\\@good.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['ex%61mple.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  [':443', 'CORDON_NET_BAD_AUTHORITY'],
  ['::1:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['[::1]', 'CORDON_NET_BAD_AUTHORITY'],
  ['[::1]443', 'CORDON_NET_BAD_AUTHORITY'],
  ['[::1:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['[fe80::1%25eth0]:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['[1.2.3.4]:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['[example.com]:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['a..b:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['a.com..:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['a..:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['256.0.0.1:443', 'CORDON_NET_BAD_AUTHORITY'],
  ['http://example.com:443', 'CORDON_NET_BAD_AUTHORITY'],
  [`${'a'.repeat(64)}.com:443`, 'CORDON_NET_BAD_AUTHORITY'],
  [`${'a.'.repeat(600)}com:443`, 'CORDON_NET_BAD_AUTHORITY'],
];

void test('parseAuthority accepts strict host:port and canonicalises the host', async (t) => {
  for (const [input, expected] of VALID) {
    await t.test(input, () => {
      const got = parseAuthority(input);
      assert.deepEqual(got, expected);
      assert.deepEqual(
        parseAuthority(formatAuthority(got.host, got.port)),
        got,
        'canonical form is a fixed point',
      );
    });
  }
});

void test('parseAuthority refuses everything else with a coded NetError', async (t) => {
  for (const [input, code] of INVALID) {
    await t.test(JSON.stringify(input), () => {
      assert.throws(() => parseAuthority(input), { name: 'NetError', code });
    });
  }
});

void test('parseHostHeader takes an optional port', () => {
  assert.deepEqual(parseHostHeader('Example.com', 80), name('example.com', 80));
  assert.deepEqual(parseHostHeader('example.com:8080', 80), name('example.com', 8080));
  assert.deepEqual(parseHostHeader('[::1]', 443), v6('::1', 443));
  assert.deepEqual(parseHostHeader('[::1]:8443', 443), v6('::1', 8443));
  assert.throws(() => parseHostHeader('example.com:', 80), { code: 'CORDON_NET_BAD_PORT' });
  assert.throws(() => parseHostHeader('a@example.com', 80), { code: 'CORDON_NET_BAD_AUTHORITY' });
  assert.throws(() => parseHostHeader('', 80), { code: 'CORDON_NET_BAD_AUTHORITY' });
  assert.throws(() => parseHostHeader('example.com', 0), { code: 'CORDON_NET_BAD_PORT' });
});

void test('parsePort', () => {
  assert.equal(parsePort('1'), 1);
  assert.equal(parsePort('65535'), 65535);
  for (const bad of ['', '0', '01', '65536', '1e3', '0x50', ' 80', '80 ', '+80', '99999', '8.0']) {
    assert.throws(() => parsePort(bad), { code: 'CORDON_NET_BAD_PORT' }, bad);
  }
});
