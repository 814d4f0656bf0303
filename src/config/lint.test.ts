/**
 * Lint: exfiltration-prone entries (with what to write instead), duplicates, shadowed entries,
 * groups that never match, modes and ports. Each finding is reported once, where it is written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintConfig, type LintFinding } from './lint.js';
import { loadConfigText } from './load.js';

const load = (yaml: string) => loadConfigText(yaml, { file: '/x/cordon.yaml', baseDir: '/x' });

/** Lint a config whose https.allow holds `entries`. */
function lintEntries(entries: string[], now?: number): LintFinding[] {
  const yaml = `https:\n  allow:\n${entries.map((e) => `    - '${e}'`).join('\n')}\n`;
  return lintConfig(load(yaml), now);
}

const warnings = (fs: LintFinding[]): LintFinding[] => fs.filter((f) => f.level === 'warning');

describe('exfiltration routes', () => {
  const cases: [entry: string, message: RegExp | null, fix?: RegExp][] = [
    ['.amazonaws.com', /every AWS endpoint/, /name the endpoints you need/],
    ['*.amazonaws.com', /every AWS endpoint/, /VPC endpoints/],
    ['.s3.amazonaws.com', /every S3 bucket/, /name the bucket: \.my-bucket\.s3\.amazonaws\.com/],
    ['s3.amazonaws.com', /every S3 bucket/, /S3 VPC endpoint with a bucket policy/],
    ['.s3.us-east-1.amazonaws.com', /every S3 bucket/, /name the bucket/],
    ['s3-us-west-2.amazonaws.com', /every S3 bucket/, /name the bucket/],
    ['.s3.dualstack.eu-west-1.amazonaws.com', /every S3 bucket/, /name the bucket/],
    ['.my-bucket.s3.amazonaws.com', null],
    ['s3-logs.s3.us-east-1.amazonaws.com', null],
    ['sts.us-east-1.amazonaws.com', null],
    ['.githubusercontent.com', /every GitHub user's files/, /raw\.githubusercontent\.com/],
    ['raw.githubusercontent.com', null],
    ['gist.githubusercontent.com', /paste site/, /remove it/],
    ['pastebin.com', /pastebin\.com \(paste site\)/, /remove it/],
    ['.dropbox.com', /dropbox\.com \(file sharing\)/, /remove it/],
    ['transfer.sh', /file sharing/, /remove it/],
    ['abc.ngrok.io', /ngrok\.io \(tunnel or request catcher\)/, /remove it/],
    [
      '.google.com',
      /drive\.google\.com \(file sharing\), docs\.google\.com/,
      /only the hosts you need under google\.com/,
    ],
    ['google.com', null],
    ['.example.org', null],
    ['203.0.113.0/24', null],
  ];
  for (const [entry, message, fix] of cases) {
    it(`${entry} → ${message === null ? 'no finding' : message.source}`, () => {
      const found = warnings(lintEntries([entry]));
      if (message === null) {
        assert.deepEqual(found, []);
        return;
      }
      assert.equal(found.length, 1, JSON.stringify(found));
      const [f] = found;
      assert.match(f?.message ?? '', message);
      assert.match(f?.fix ?? '', fix ?? /./);
      assert.equal(f?.source, 'cordon.yaml:https.allow[0]');
      assert.equal(f?.entry, entry);
    });
  }
});

describe('duplicates and shadowing', () => {
  it('reports duplicates and entries covered by a wider one, naming the wider entry and its source', () => {
    const found = warnings(
      lintEntries([
        'a.example.org',
        '.example.org',
        '*.example.org',
        'b.x.example.org',
        '.example.org',
        '10.1.0.0/16',
        '10.0.0.0/8',
        'example.org',
      ]),
    );
    const summary = found.map((f) => `${f.source} ${f.entry}: ${f.message}`).sort();
    assert.deepEqual(summary, [
      'cordon.yaml:https.allow[0] a.example.org: already covered by .example.org (cordon.yaml:https.allow[1])',
      'cordon.yaml:https.allow[2] *.example.org: already covered by .example.org (cordon.yaml:https.allow[1])',
      'cordon.yaml:https.allow[3] b.x.example.org: already covered by .example.org (cordon.yaml:https.allow[1])',
      'cordon.yaml:https.allow[4] .example.org: duplicate of cordon.yaml:https.allow[1]',
      'cordon.yaml:https.allow[5] 10.1.0.0/16: already covered by 10.0.0.0/8 (cordon.yaml:https.allow[6])',
      'cordon.yaml:https.allow[7] example.org: already covered by .example.org (cordon.yaml:https.allow[1])',
    ]);
  });

  it('*.d does not cover d, and .a.d is covered by *.d', () => {
    const found = warnings(lintEntries(['*.example.org', 'example.org', '.a.example.org']));
    assert.deepEqual(
      found.map((f) => f.entry),
      ['.a.example.org'],
    );
  });

  it("blames a group's own entry, not the inherited top-level one, and reports top-level problems once", () => {
    const l = load(`
https:
  allow: [.example.org, dup.example.net, dup.example.net]
groups:
  - name: a
    clients: [10.1.0.0/16]
    https:
      allow: [.example.org, x.example.org]
  - name: b
    clients: [10.2.0.0/16]
`);
    const found = warnings(lintConfig(l)).map((f) => `${f.source}: ${f.message}`);
    assert.deepEqual(found.sort(), [
      'cordon.yaml:groups[0].https.allow[0]: duplicate of cordon.yaml:https.allow[0]',
      'cordon.yaml:groups[0].https.allow[1]: already covered by .example.org (cordon.yaml:https.allow[0])',
      'cordon.yaml:https.allow[2]: duplicate of cordon.yaml:https.allow[1]',
    ]);
  });
});

describe('groups, modes and ports', () => {
  const NOW = Date.parse('2026-01-01T00:00:00Z');

  it('warns about groups that can never match', () => {
    const l = load(`
clients: [10.0.0.0/8]
groups:
  - { name: wide, clients: [10.0.0.0/9] }
  - { name: narrow, clients: [10.1.0.0/16] }
  - { name: outside, clients: [192.168.0.0/24] }
`);
    const found = warnings(lintConfig(l, NOW)).map((f) => `${f.source} ${f.entry}: ${f.message}`);
    assert.deepEqual(found, [
      'cordon.yaml:groups[1].clients group narrow: every client of this group is matched by an earlier group first, so its rules never apply',
      'cordon.yaml:groups[2].clients group outside: 192.168.0.0/24 not in clients:, so these clients can never use the proxy',
    ]);
  });

  // learn without learnUntil is a schema error (config/schema), so lint never sees it.
  it('explains report and learn modes', () => {
    const l = load(`
mode: report
groups:
  - { name: learning, clients: [10.1.0.0/16], mode: learn, learnUntil: '2030-01-01T00:00:00Z' }
  - { name: ended, clients: [10.2.0.0/16], mode: learn, learnUntil: '2025-01-01T00:00:00Z' }
  - { name: inherits, clients: [10.4.0.0/16] }
`);
    const found = lintConfig(l, NOW)
      .filter((f) => f.entry.includes('mode'))
      .map((f) => `${f.level} ${f.source}: ${f.message}`);
    assert.deepEqual(found, [
      'info cordon.yaml:groups[0].mode: nothing is denied until 2030-01-01T00:00:00Z: would-be denials are only logged',
      'info cordon.yaml:groups[1].mode: learning ended at 2025-01-01T00:00:00Z: this group enforces',
      'info cordon.yaml:mode: nothing is denied: would-be denials are only logged',
    ]);
  });

  it('notes 443 in http.ports and 80 in https.ports once, where written', () => {
    const l = load(`
http: { ports: [80, 443], allow: [a.example.org] }
https: { ports: [80, 443] }
groups:
  - { name: inherits, clients: [10.1.0.0/16] }
`);
    const found = lintConfig(l, NOW).map((f) => `${f.level} ${f.source}`);
    assert.deepEqual(found, ['info cordon.yaml:http.ports', 'info cordon.yaml:https.ports']);
  });

  it('loadConfig returns the findings as warnings, most severe first', () => {
    const l = load('mode: report\nhttps:\n  allow: [.amazonaws.com]\n');
    assert.deepEqual(
      l.warnings.map((w) => w.level),
      ['warning', 'info'],
    );
    assert.deepEqual(lintConfig(l), l.warnings);
  });
});
