/**
 * Loading cordon.yaml: every error names file:line, the path, the bad value and a fix, all problems
 * come in one error; relative paths resolve against the config's folder; groups and inherit build
 * the PolicySpec; the result is deep-frozen.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { compilePolicy } from '../policy/compile.js';
import { decide } from '../policy/decide.js';
import type { DecisionInput } from '../policy/types.js';
import { CONFIG_ERRORS, ConfigError } from './errors.js';
import { loadConfig, loadConfigText } from './load.js';

/** A temp folder with these files; returns the path of cordon.yaml in it. */
const made: string[] = [];
after(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-config-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return join(dir, 'cordon.yaml');
}

function loadError(files: Record<string, string>): { file: string; error: ConfigError } {
  const file = setup(files);
  try {
    loadConfig(file);
  } catch (e: unknown) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return { file, error: e };
  }
  assert.fail('expected the config to be refused');
}

const input = (host: string, scheme: 'http' | 'https' = 'https', client = '10.0.1.5'): DecisionInput => ({
  client,
  scheme,
  host,
  port: scheme === 'https' ? 443 : 80,
  isIp: false,
});

describe('load errors', () => {
  const cases: { name: string; yaml: string; code: string; expect: (file: string) => RegExp[] }[] = [
    {
      name: 'unknown key, with the known keys and a guess',
      yaml: 'listen: 0.0.0.0:3128\nhtps:\n  ports: [443]\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(
          `${f}:2 htps: unknown key "htps" — fix: .*did you mean https\\?.*known keys here are: listen, clients`,
        ),
      ],
    },
    {
      name: 'unknown key inside a group',
      yaml: 'groups:\n  - name: a\n    clients: [10.0.0.0/8]\n    alow: [x.example.org]\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [new RegExp(`${f}:4 groups\\[0\\]\\.alow: unknown key .*inherit, http, https`)],
    },
    {
      name: 'bad CIDR in clients',
      yaml: 'clients:\n  - 10.0.0.0/8\n  - 10.0.0.0/99\n  - 10.1.2.3/16\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(`${f}:3 clients\\[1\\]: not a valid CIDR \\(got "10.0.0.0/99"\\) — fix: `),
        new RegExp(`${f}:4 clients\\[2\\]: the range has host bits set .* — fix: use 10.1.0.0/16`),
      ],
    },
    {
      name: 'bad enum lists the allowed values',
      yaml: 'mode: enforced\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(
          `${f}:1 mode: not one of the allowed values \\(got "enforced"\\) — fix: did you mean enforce\\? use one of: enforce, report, learn`,
        ),
      ],
    },
    {
      name: 'wrong type',
      yaml: 'http:\n  ports: 80\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(`${f}:2 http\\.ports: expected a list, got a number \\(got 80\\) — fix: write a list`),
      ],
    },
    {
      name: 'bad YAML',
      yaml: 'listen: 0.0.0.0:3128\nhttp:\n  ports: [80\nhttps: {}\n',
      code: CONFIG_ERRORS.yaml,
      expect: (f) => [new RegExp(`${f}:\\d+: YAML: .* — fix: correct the YAML syntax`)],
    },
    {
      name: 'duplicate keys',
      yaml: 'mode: enforce\nmode: report\n',
      code: CONFIG_ERRORS.yaml,
      expect: (f) => [new RegExp(`${f}:2: YAML: Map keys must be unique`)],
    },
    {
      name: 'listen, dns.hosts, servers and policy source',
      yaml: 'listen: "3128"\nadmin:\n  listen: 127.0.0.1:70000\ndns:\n  hosts:\n    Foo.Test: 10.0.0.1\n    bar.test: nope\n  servers: [10.0.0.2:0]\npolicy:\n  source: http://x\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(`${f}:1 listen: not a HOST:PORT address \\(got "3128"\\) — fix: write HOST:PORT`),
        new RegExp(`${f}:3 admin\\.listen: the port must be 0-65535`),
        new RegExp(
          `${f}:6 dns\\.hosts\\["Foo.Test"\\]: the key must be a canonical host name .* — fix: use foo.test`,
        ),
        new RegExp(`${f}:7 dns\\.hosts\\["bar.test"\\]: not an IP address \\(got "nope"\\)`),
        new RegExp(`${f}:8 dns\\.servers\\[0\\]: not a resolver address`),
        new RegExp(
          `${f}:10 policy\\.source: not a policy source .* — fix: use file:, s3://bucket/key or ssm:/parameter/name`,
        ),
      ],
    },
    {
      name: 'learnUntil without learn, duplicate and reserved group names',
      yaml: 'learnUntil: 2030-01-01T00:00:00Z\ngroups:\n  - { name: a, clients: [10.0.0.0/8] }\n  - { name: a, clients: [10.0.0.0/8], mode: report, learnUntil: 2030-01-01T00:00:00Z }\n  - { name: default, clients: [10.0.0.0/8] }\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(`${f}:1 learnUntil: learnUntil only applies with mode: learn .* — fix: set mode: learn`),
        new RegExp(`${f}:4 groups\\[1\\]\\.name: duplicate group name \\(first used by groups\\[0\\]\\)`),
        new RegExp(
          `${f}:4 groups\\[1\\]\\.learnUntil: learnUntil only applies when the group's mode is learn`,
        ),
        new RegExp(`${f}:5 groups\\[2\\]\\.name: "default" is the name of the top-level rules`),
      ],
    },
    {
      name: 'learn without learnUntil (it would never enforce), top level and in a group',
      yaml: 'mode: learn\nlog: { level: loud }\ngroups:\n  - { name: a, clients: [10.0.0.0/8], mode: learn }\n  - { name: b, clients: [10.0.0.0/8] }\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(
          `${f}:1 mode: learn mode needs learnUntil, the date it starts enforcing \\(got "learn"\\) — fix: add learnUntil: 2030-01-01T00:00:00Z .* or use mode: report`,
        ),
        new RegExp(`${f}:2 log\\.level: not one of the allowed values`),
        new RegExp(`${f}:4 groups\\[0\\]\\.mode: learn mode needs learnUntil, .* — fix: add learnUntil:`),
        /\(3 problems\)/,
      ],
    },
    {
      name: 'a group that is not a mapping (the learn check must not trip on it)',
      yaml: 'mode: learn\ngroups: [~]\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [
        new RegExp(`${f}:1 mode: learn mode needs learnUntil`),
        new RegExp(`${f}:2 groups\\[0\\]: expected a mapping of keys, got nothing`),
      ],
    },
    {
      name: 'inline allow entries use the allowlist rules',
      yaml: 'https:\n  allow:\n    - ok.example.org\n    - .co.uk\n',
      code: CONFIG_ERRORS.publicSuffix,
      expect: (f) => [
        new RegExp(
          `${f}:4 https\\.allow\\[1\\]: \\.co\\.uk would cover every site .* — fix: name the domain`,
        ),
      ],
    },
    {
      name: 'missing allowlist file names the file and the config line',
      yaml: 'http:\n  allowFiles:\n    - lists/missing.txt\n',
      code: CONFIG_ERRORS.read,
      expect: (f) => [
        new RegExp(
          `${f}:3 http\\.allowFiles\\[0\\]: allowlist file not found: ${join(dirname(f), 'lists/missing.txt')} \\(got "lists/missing.txt"\\) — fix: create the file`,
        ),
      ],
    },
    {
      name: 'not a mapping',
      yaml: '- a\n- b\n',
      code: CONFIG_ERRORS.invalid,
      expect: (f) => [new RegExp(`${f}:1: the file must be a mapping of keys`)],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { file, error } = loadError({ 'cordon.yaml': c.yaml });
      assert.equal(error.code, c.code);
      for (const re of c.expect(file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))) assert.match(error.message, re);
    });
  }

  it('collects every problem of the config and its allowlist files into one error, in order', () => {
    const { file, error } = loadError({
      'cordon.yaml': 'mode: nope\nbogus: 1\nhttps:\n  allowFiles: [allowhttps.txt]\n',
      'allowhttps.txt': '# list\n.com\nfoo*.example.org\ngood.example.org\n',
    });
    const list = join(dirname(file), 'allowhttps.txt');
    assert.deepEqual(
      error.issues.map((i) => `${i.file}:${i.line}`),
      [`${file}:1`, `${file}:2`, `${list}:2`, `${list}:3`],
    );
    assert.match(error.message, /^invalid configuration \(4 problems\):\n/);
  });

  it('a config file that cannot be read is CORDON_CONFIG_READ', () => {
    assert.throws(() => loadConfig(join(tmpdir(), 'no-such-dir-cordon', 'cordon.yaml')), {
      code: CONFIG_ERRORS.read,
      message: /cordon\.yaml: config file not found — fix: check the --config path/,
    });
  });
});

describe('loaded config', () => {
  it('resolves every path against the config file folder, not the process cwd', () => {
    const file = setup({
      'cordon.yaml': [
        'http:',
        '  allowFiles: [lists/http.txt]',
        'https:',
        '  allowFiles: [https.txt]',
        'log:',
        '  access: logs/a.log',
        '  json: "-"',
        'storage:',
        '  dir: ../data',
      ].join('\n'),
      'lists/http.txt': 'a.example.org\n',
      'https.txt': 'b.example.org\n',
    });
    const dir = dirname(file);
    const l = loadConfig(file);
    assert.equal(l.path, file);
    assert.deepEqual(l.config.http.allowFiles, [join(dir, 'lists/http.txt')]);
    assert.deepEqual(l.files, [file, join(dir, 'lists/http.txt'), join(dir, 'https.txt')]);
    assert.equal(l.policySpec.groups[0]?.http.allow[0]?.source, 'lists/http.txt:1');
    assert.equal(l.config.log.access, join(dir, 'logs/a.log'));
    assert.equal(l.config.log.json, '-');
    assert.equal(l.config.storage.dir, resolve(dir, '../data'));
  });

  it('builds groups in order, then default; inherit adds the top-level entries (after its own) and ports', () => {
    const file = setup({
      'cordon.yaml': `
clients: [10.0.0.0/8]
mode: report
http:
  ports: [80, 8080]
  allow: [top.example.org]
https:
  allowFiles: [allowhttps.txt]
groups:
  - name: team-a
    clients: [10.1.0.0/16]
    https:
      allow: [a.example.org]
  - name: team-b
    clients: [10.2.0.0/16]
    inherit: false
    mode: learn
    learnUntil: 2030-01-01T00:00:00Z
    http:
      allow: [b.example.org]
`,
      'allowhttps.txt': '.shared.example.org\n',
    });
    const spec = loadConfig(file).policySpec;
    assert.deepEqual(
      spec.groups.map((g) => [g.name, g.mode, g.learnUntil, g.http.ports, g.https.ports]),
      [
        ['team-a', 'report', undefined, [80, 8080], [443]],
        ['team-b', 'learn', '2030-01-01T00:00:00Z', [80], [443]],
        ['default', 'report', undefined, [80, 8080], [443]],
      ],
    );
    const values = (g: number, s: 'http' | 'https'): string[] =>
      spec.groups[g]?.[s].allow.map((e) => e.value) ?? [];
    assert.deepEqual(values(0, 'https'), ['a.example.org', '.shared.example.org']);
    assert.deepEqual(values(0, 'http'), ['top.example.org']);
    assert.deepEqual(values(1, 'http'), ['b.example.org']);
    assert.deepEqual(values(1, 'https'), []);
    assert.deepEqual(spec.groups[2]?.clients, ['10.0.0.0/8']);
    assert.equal(spec.groups[0]?.https.allow[0]?.source, 'cordon.yaml:groups[0].https.allow[0]');

    const policy = compilePolicy(spec, 1);
    assert.equal(decide(policy, input('a.example.org', 'https', '10.1.0.9')).wouldDeny, false);
    assert.equal(decide(policy, input('a.example.org', 'https', '10.3.0.9')).wouldDeny, true);
  });

  it('is deep-frozen', () => {
    const l = loadConfig(setup({ 'cordon.yaml': 'https:\n  allow: [x.example.org]\n' }));
    for (const v of [
      l,
      l.config,
      l.config.http.ports,
      l.config.dns.hosts,
      l.policySpec.groups,
      l.policySpec.groups[0]?.https.allow,
      l.warnings,
    ]) {
      assert.ok(Object.isFrozen(v));
    }
    assert.throws(() => l.config.http.ports.push(1), TypeError);
  });

  it('accepts an empty file as all defaults', () => {
    const l = loadConfigText('', { file: '/x/cordon.yaml', baseDir: '/x' });
    assert.equal(l.config.listen, '0.0.0.0:3128');
    assert.equal(l.config.storage.dir, '/x/data');
    assert.deepEqual(l.files, ['/x/cordon.yaml']);
  });

  it('accepts listeners on port 0, IPv6 and host names', () => {
    for (const listen of ['127.0.0.1:0', '"[::]:3128"', 'localhost:3128']) {
      assert.doesNotThrow(
        () => loadConfigText(`listen: ${listen}\n`, { file: '/x/c.yaml', baseDir: '/x' }),
        listen,
      );
    }
  });
});
