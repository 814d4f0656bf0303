/**
 * The Node flags Cordon runs with are the same in every launcher: `npm start` (package.json),
 * the `cordon` command (bin/cordon.js's first line, run through `env -S`), the installed
 * cordon-start (infra/scripts/install-cordon.sh) and the benchmark (bench/cordon.ts's
 * CORDON_NODE_FLAGS, the list the others are checked against).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CORDON_NODE_FLAGS } from '../../bench/cordon.js';

const root = join(import.meta.dirname, '..', '..');
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
const flags = CORDON_NODE_FLAGS.join(' ');

describe('Node flags in every launcher', () => {
  it('npm start passes them', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.start, `node ${flags} bin/cordon.js start`);
  });

  it('bin/cordon.js passes them through env -S, and runs as a command', () => {
    assert.equal(read('bin/cordon.js').split('\n')[0], `#!/usr/bin/env -S node ${flags}`);
    const r = spawnSync(join(root, 'bin', 'cordon.js'), ['no-such-command'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /unknown command "no-such-command"/);
  });

  it('the installed cordon-start passes them', () => {
    assert.ok(read('infra/scripts/install-cordon.sh').includes(`exec "$NODE" ${flags} "$ENTRY" start`));
  });
});
