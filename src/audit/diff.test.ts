/** Unified diffs of policy files, in the format `patch` and `git apply` read. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unifiedDiff } from './diff.js';

const lines = (n: number, f = (i: number) => `line ${i}`): string =>
  Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join('');

describe('unifiedDiff', () => {
  const cases: { name: string; before: string; after: string; expect: string }[] = [
    { name: 'equal texts', before: 'a\n', after: 'a\n', expect: '' },
    {
      name: 'an appended line',
      before: '# pip\n.pypi.test\n',
      after: '# pip\n.pypi.test\nnew.test\n',
      expect: '--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n # pip\n .pypi.test\n+new.test\n',
    },
    {
      name: 'a changed line with context',
      before: lines(10),
      after: lines(10, (i) => (i === 5 ? 'five' : `line ${i}`)),
      expect:
        '--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+five\n line 6\n line 7\n line 8\n',
    },
    { name: 'a new file', before: '', after: 'x\n', expect: '--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(unifiedDiff(c.before, c.after, 'f'), c.expect));

  it('makes one hunk per distant change, and patch(1) reproduces the new text', () => {
    const before = lines(40);
    const after = lines(40, (i) => (i === 3 ? 'three' : i === 30 ? 'thirty' : `line ${i}`)) + 'end\n';
    const diff = unifiedDiff(before, after, 'f');
    assert.equal(diff.match(/^@@/gm)?.length, 3);
    const dir = mkdtempSync(join(tmpdir(), 'cordon-diff-'));
    writeFileSync(join(dir, 'f'), before);
    execFileSync('patch', ['-s', join(dir, 'f')], { input: diff });
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), after);
  });
});
