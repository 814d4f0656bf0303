/**
 * Policy edits: entries land in the right file for the group and scheme, comments and order are
 * kept, the result still loads, no-ops are dropped, bad input and conflicts are refused with codes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CordonError } from '../errors.js';
import { loadConfig } from './load.js';
import {
  planPolicyEdit,
  policyHash,
  POLICY_EDIT_ERRORS,
  writePolicyFiles,
  type PolicyOp,
} from './policy-edit.js';

const CONFIG = `# Cordon policy for the notebooks
listen: 127.0.0.1:0   # any free port
http:
  allow: [a.test] # inline list
https:
  allowFiles: [allowhttps.txt, more.txt]
groups:
  - name: team-a   # the data team
    clients: [10.1.0.0/16]
    http:
      allow:
        - b.test # first
        - c.test
  - name: team-b
    clients: [10.2.0.0/16]
`;

function setup(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-edit-'));
  writeFileSync(join(dir, 'cordon.yaml'), CONFIG);
  writeFileSync(join(dir, 'allowhttps.txt'), '# pip\n.pypi.test\n');
  writeFileSync(join(dir, 'more.txt'), 'files.test # big files\n');
  return { dir, config: join(dir, 'cordon.yaml') };
}

const add = (group: string, scheme: 'http' | 'https', entry: string): PolicyOp => ({
  op: 'add',
  group,
  scheme,
  entry,
});
const remove = (group: string, scheme: 'http' | 'https', entry: string): PolicyOp => ({
  op: 'remove',
  group,
  scheme,
  entry,
});

describe('planPolicyEdit', () => {
  const cases: { name: string; ops: PolicyOp[]; file: string; expect: (text: string) => void }[] = [
    {
      name: 'appends to the first allowlist file of the scheme',
      ops: [add('default', 'https', 'New.Test')],
      file: 'allowhttps.txt',
      expect: (t) => assert.equal(t, '# pip\n.pypi.test\nnew.test\n'),
    },
    {
      name: 'adds to an inline flow list, keeping comments and spacing',
      ops: [add('default', 'http', '.d.test')],
      file: 'cordon.yaml',
      expect: (t) => assert.equal(t, CONFIG.replace('allow: [a.test] #', 'allow: [a.test, .d.test] #')),
    },
    {
      name: 'adds to a block list of a group',
      ops: [add('team-a', 'http', '*.e.test')],
      file: 'cordon.yaml',
      expect: (t) =>
        assert.equal(t, CONFIG.replace('        - c.test\n', '        - c.test\n        - "*.e.test"\n')),
    },
    {
      name: 'creates the section of a group that has none',
      ops: [add('team-b', 'https', 'f.test')],
      file: 'cordon.yaml',
      expect: (t) => assert.equal(t, `${CONFIG}    https:\n      allow: [f.test]\n`),
    },
    {
      name: 'removes from a block list and from allowlist files',
      ops: [remove('team-a', 'http', 'b.test'), remove('default', 'https', 'files.test')],
      file: 'cordon.yaml',
      expect: (t) => assert.equal(t, CONFIG.replace('        - b.test # first\n', '')),
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { dir, config } = setup();
      const plan = planPolicyEdit(config, c.ops);
      assert.equal(plan.ops.length, c.ops.length);
      writePolicyFiles(plan.files);
      c.expect(readFileSync(join(dir, c.file), 'utf8'));
      loadConfig(config);
    });
  }

  it('drops no-ops: adding a present entry, removing an absent one', () => {
    const { config } = setup();
    const plan = planPolicyEdit(config, [
      add('default', 'https', '.pypi.test'),
      add('team-a', 'http', 'c.test'),
      remove('team-b', 'http', 'zzz.test'),
    ]);
    assert.deepEqual(plan, { files: [], ops: [] });
  });

  it('refuses bad input with stable codes', () => {
    const { config } = setup();
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e: unknown) {
        return e instanceof CordonError ? e.code : 'not a CordonError';
      }
      return undefined;
    };
    assert.equal(
      code(() => planPolicyEdit(config, [add('nobody', 'http', 'x.test')])),
      POLICY_EDIT_ERRORS.unknownGroup,
    );
    assert.equal(
      code(() => planPolicyEdit(config, [add('default', 'http', '.com')])),
      POLICY_EDIT_ERRORS.badEntry,
    );
    assert.equal(
      code(() => planPolicyEdit(config, [add('default', 'http', 'http://x.test/')])),
      POLICY_EDIT_ERRORS.badEntry,
    );
    assert.equal(
      code(() => planPolicyEdit(null, [add('default', 'http', 'x.test')])),
      POLICY_EDIT_ERRORS.noFile,
    );
  });

  it('writes nothing when a file changed after it was read, and the hash shows it', () => {
    const { dir, config } = setup();
    const files = [config, join(dir, 'allowhttps.txt'), join(dir, 'more.txt')];
    const hash = policyHash(files);
    const plan = planPolicyEdit(config, [
      add('default', 'http', 'x.test'),
      add('default', 'https', 'y.test'),
    ]);
    writeFileSync(join(dir, 'allowhttps.txt'), '# pip\n.pypi.test\nhand.test\n');
    assert.notEqual(policyHash(files), hash);
    assert.throws(() => writePolicyFiles(plan.files), { code: POLICY_EDIT_ERRORS.conflict });
    assert.equal(readFileSync(config, 'utf8'), CONFIG, 'cordon.yaml untouched');
    assert.equal(readFileSync(join(dir, 'allowhttps.txt'), 'utf8'), '# pip\n.pypi.test\nhand.test\n');
  });
});
