/**
 * import-squid end to end: the seed's squid setup (test/fixtures/squid-seed) → cordon.yaml and
 * allowlists in a temp folder → loadConfig → the policy decides as squid did; plus the mapping of
 * ports, groups, directives and everything that cannot be mapped, and writeImport's no-clobber rule.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CordonError } from '../errors.js';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import { CONFIG_ERRORS, ConfigError } from './errors.js';
import { importSquid, writeImport, type SquidImport } from './import-squid.js';
import { loadConfig } from './load.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SEED = join(ROOT, 'test/fixtures/squid-seed/squid.conf');

const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-import-'));
  made.push(dir);
  return dir;
}

function importText(conf: string, files: Record<string, string> = {}): SquidImport {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'squid.conf'), conf);
  return importSquid(join(dir, 'squid.conf'));
}

function writeAndLoad(result: SquidImport): ReturnType<typeof loadConfig> {
  const out = join(tempDir(), 'cordon');
  writeImport(result, out);
  return loadConfig(join(out, 'cordon.yaml'));
}

const why = (r: SquidImport, line: number): string =>
  r.unmapped
    .filter((u) => u.line === line)
    .map((u) => u.why)
    .join(' | ');

describe('import-squid: the seed setup', () => {
  const result = importSquid(SEED);
  const loaded = writeAndLoad(result);

  it('loads cleanly, with no lint warnings', () => {
    assert.deepEqual(
      loaded.warnings.filter((w) => w.level !== 'info'),
      [],
    );
    assert.equal(loaded.config.listen, '0.0.0.0:3128');
  });

  it('maps localnet to clients, allowhttps to https with SSL_ports, allowhttp to http on port 80', () => {
    const spec = loaded.policySpec;
    assert.deepEqual(spec.clients, [
      '10.0.0.0/8',
      '100.64.0.0/10',
      '169.254.0.0/16',
      '172.16.0.0/12',
      '192.168.0.0/16',
      'fc00::/7',
      'fe80::/10',
    ]);
    const [only] = spec.groups;
    assert.equal(spec.groups.length, 1);
    assert.deepEqual(only?.https.ports, [443]);
    assert.deepEqual(
      only?.https.allow.map((e) => e.value),
      ['.example.org', '.files.example.com', 'api.example.net'],
    );
    assert.deepEqual(only?.http.ports, [80]);
    assert.deepEqual(
      only?.http.allow.map((e) => e.value),
      ['.example.org', 'mirror.example.net'],
    );
    assert.equal(only?.https.allow[0]?.source, 'allowhttps.txt:6');
  });

  it('decides as the squid setup did for allowlisted traffic', () => {
    const policy = compilePolicy(loaded.policySpec, 1);
    const d = (host: string, scheme: 'http' | 'https', port: number, client = '10.0.3.4') =>
      decide(policy, { client, scheme, host, port, isIp: false });
    assert.equal(d('api.example.net', 'https', 443).allow, true);
    assert.equal(d('www.files.example.com', 'https', 443).allow, true);
    assert.equal(d('api.example.net', 'https', 8443).reason, 'port_not_allowed');
    assert.equal(d('mirror.example.net', 'http', 80).allow, true);
    assert.equal(d('mirror.example.net', 'http', 8080).allow, false);
    assert.equal(d('other.example.com', 'https', 443).reason, 'not_allowlisted');
    assert.equal(d('api.example.net', 'https', 443, '203.0.113.1').reason, 'client_not_allowed');
  });

  it('lists exactly the lines it could not map, each with a reason', () => {
    const lines = [...new Set(result.unmapped.map((u) => u.line))];
    assert.deepEqual(lines, [9, 20, 21, 22, 23, 24, 25, 26, 27, 28, 42, 51, 60, 63, 64, 65, 66]);
    assert.match(why(result, 9), /address ranges \(a-b\) are not supported/);
    assert.match(why(result, 24), /1025-65535 \(64511 ports\) is too wide/);
    assert.match(why(result, 21), /port 443 is one of squid's stock Safe_ports/);
    assert.match(why(result, 42), /no cache manager/);
    assert.match(why(result, 51), /allows every destination; cordon has no allow-all rule/);
    assert.match(why(result, 60), /storage\.dir/);
    assert.match(why(result, 63), /does not cache/);
    assert.equal(result.unmapped.find((u) => u.line === 63)?.text.startsWith('refresh_pattern ^ftp:'), true);
  });

  it('writes allowlists in the seed format, with where each block came from', () => {
    const https = result.files.find((f) => f.name === 'allowhttps.txt')?.content ?? '';
    assert.match(
      https,
      /# acl allowhttps dstdomain ".*allowhttps\.txt" \(squid\.conf line 32\)\n\.example\.org\n/,
    );
    assert.match(result.yaml, /allowFiles:\n\s+- allowhttps\.txt/);
    assert.match(result.yaml, /Squid also let CONNECT through to these names/);
  });
});

describe('import-squid: mapping rules', () => {
  it('maps ports, directives, inline values and reports what cannot map', () => {
    const r = importText(
      [
        'acl localnet src 10.0.0.0/255.255.0.0 10.9.9.9/8',
        'acl SSL_ports port 443 8443-8444',
        'acl Safe_ports port 80 8080 443 1025-65535',
        'acl CONNECT method CONNECT',
        'acl web dstdomain .example.org \\',
        '    foo*.example.net https://x.example.com/y',
        'acl https_sites dstdomain "/etc/squid/sites.txt"',
        'acl bad_regex dstdom_regex -i example',
        'acl gone dstdomain "/nowhere/gone.txt"',
        'http_access deny !Safe_ports',
        'http_access deny CONNECT !SSL_ports',
        'http_access deny localnet web',
        'http_access allow localnet bad_regex',
        'http_access allow localnet web',
        'http_access allow CONNECT localnet https_sites',
        'http_access deny all',
        'http_access allow localnet',
        'http_port 10.0.0.1:3129 intercept',
        'http_port 3130',
        'access_log daemon:/var/log/squid/access.log squid',
        'dns_nameservers 10.0.0.2 10.0.0.3',
        'cache deny all',
      ].join('\n'),
      { 'sites.txt': '.example.org\n.com\n' },
    );
    const loaded = writeAndLoad(r);
    const [g] = loaded.policySpec.groups;
    assert.deepEqual(loaded.policySpec.clients, ['10.0.0.0/16']);
    assert.deepEqual(g?.http.ports, [80, 8080]);
    assert.deepEqual(
      g?.http.allow.map((e) => e.value),
      ['.example.org'],
    );
    // SSL_ports ∩ Safe_ports (deny !Safe_ports applies to CONNECT too): 8443, 8444 are in 1025-65535.
    assert.deepEqual(g?.https.ports, [443, 8443, 8444]);
    assert.deepEqual(
      g?.https.allow.map((e) => e.value),
      ['.example.org'],
    );
    assert.equal(loaded.config.listen, '10.0.0.1:3129');
    assert.deepEqual(loaded.config.dns.servers, ['10.0.0.2', '10.0.0.3']);
    assert.equal(loaded.config.log.access, '/var/log/squid/access.log');

    assert.match(why(r, 1), /10\.9\.9\.9\/8: the range has host bits set — fix: use 10\.0\.0\.0\/8/);
    assert.match(why(r, 3), /1025-65535 .* too wide/);
    assert.match(why(r, 5), /foo\*\.example\.net: a \* is only allowed/);
    assert.match(
      why(r, 5),
      /https:\/\/x\.example\.com\/y: write a host name, not a URL — fix: use x\.example\.com/,
    );
    assert.equal(r.unmapped.find((u) => /\.com:/.test(u.why))?.text, 'sites.txt:2: .com');
    assert.match(why(r, 8), /acl bad_regex is not used/);
    assert.match(why(r, 9), /file not found: tried \/nowhere\/gone\.txt and .*gone\.txt/);
    assert.match(why(r, 12), /allowlist-only and has no deny rules/);
    assert.match(why(r, 13), /regular expressions are not supported/);
    assert.match(why(r, 17), /never reached: squid stops at "http_access deny all" on line 16/);
    assert.match(why(r, 18), /options intercept are not supported/);
    assert.match(why(r, 19), /only the first http_port is mapped/);
    assert.match(why(r, 22), /does not cache/);
    assert.equal(why(r, 14), '');
  });

  it('turns allow lines with different src acls into groups that inherit the common lines', () => {
    const r = importText(
      [
        'acl team_a src 10.1.0.0/16',
        'acl team_b src 10.2.0.0/16',
        'acl CONNECT method CONNECT',
        'acl a_sites dstdomain a.example.org',
        'acl b_sites dstdomain b.example.org',
        'acl common dstdomain common.example.org',
        'http_access allow CONNECT team_a a_sites',
        'http_access allow CONNECT team_b b_sites',
        'http_access allow CONNECT common',
        'http_access deny all',
      ].join('\n'),
    );
    const spec = writeAndLoad(r).policySpec;
    assert.deepEqual(spec.clients, ['10.1.0.0/16', '10.2.0.0/16']);
    const byName = Object.fromEntries(spec.groups.map((g) => [g.name, g.https.allow.map((e) => e.value)]));
    assert.deepEqual(byName, {
      team_a: ['a.example.org', 'common.example.org'],
      team_b: ['b.example.org', 'common.example.org'],
      default: ['common.example.org'],
    });
    assert.deepEqual(
      r.files.map((f) => f.name),
      ['allowhttps.txt', 'allowhttps-team_a.txt', 'allowhttps-team_b.txt'],
    );
  });

  it('never widens clients, and knows older cache-manager and auth acls', () => {
    const r = importText(
      [
        'acl manager proto cache_object',
        'acl odd src 0.0.0.1-0.255.255.255',
        'acl users proxy_auth REQUIRED',
        'acl sites dstdomain .example.org',
        'http_access allow localhost manager',
        'http_access deny manager',
        'http_access allow odd sites',
        'http_access allow users sites',
      ].join('\n'),
    );
    assert.match(why(r, 2), /address ranges/);
    assert.match(why(r, 5), /no cache manager/);
    assert.equal(why(r, 6), '');
    assert.match(why(r, 7), /acl odd has no client address cordon can use/);
    assert.match(why(r, 8), /does not authenticate clients/);
    const spec = writeAndLoad(r).policySpec;
    assert.deepEqual(
      spec.groups.map((g) => [g.name, g.http.allow.length, g.https.allow.length]),
      [['default', 0, 0]],
    );
  });

  it('a squid.conf that cannot be read is CORDON_CONFIG_READ', () => {
    assert.throws(
      () => importSquid(join(tempDir(), 'nope.conf')),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.code, CONFIG_ERRORS.read);
        return true;
      },
    );
  });
});

describe('writeImport', () => {
  it('refuses to overwrite unless forced, and leaves no temp files', () => {
    const r = importSquid(SEED);
    const out = tempDir();
    const written = writeImport(r, out);
    assert.deepEqual(written, [
      join(out, 'allowhttp.txt'),
      join(out, 'allowhttps.txt'),
      join(out, 'cordon.yaml'),
    ]);
    writeFileSync(join(out, 'allowhttps.txt'), 'edited.example.org\n');
    assert.throws(
      () => writeImport(r, out),
      (e: unknown) => {
        assert.ok(e instanceof CordonError);
        assert.equal(e.code, CONFIG_ERRORS.importExists);
        assert.match(
          e.message,
          /refusing to overwrite .*allowhttp\.txt, .*allowhttps\.txt, .*cordon\.yaml: .*--force/,
        );
        return true;
      },
    );
    assert.equal(readFileSync(join(out, 'allowhttps.txt'), 'utf8'), 'edited.example.org\n');
    writeImport(r, out, { force: true });
    assert.match(readFileSync(join(out, 'allowhttps.txt'), 'utf8'), /api\.example\.net/);
    assert.deepEqual(readdirSync(out).sort(), ['allowhttp.txt', 'allowhttps.txt', 'cordon.yaml']);
  });
});
