/**
 * The audit store benchmark stays runnable as docs/admin.md says (`npm run bench:store`): the
 * package script, run small, times every query the dashboard makes and passes its own `--check`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

it('npm run bench:store runs and checks every query', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [cmd, ...args] = (pkg.scripts['bench:store'] ?? '').split(' ');
  assert.equal(cmd, 'node', 'the script runs node');
  const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [...args, '--rows', '3000', '--check'],
      { cwd: ROOT, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
  assert.equal(out.code, 0, out.stderr);
  const result = JSON.parse(out.stdout) as {
    write: { rows: number; rowsPerSecond: number };
    queries: Record<string, { medianMs: number; maxMs: number }>;
  };
  assert.equal(result.write.rows, 3000);
  assert.ok(result.write.rowsPerSecond > 0);
  for (const name of [
    'decisions, first page',
    'decisions by client',
    'decisions by host',
    'decisions, denied only',
    'decisions, last hour',
    'review queue (pending)',
    'top destinations',
    'top denials',
    'traffic, last hour',
    'clients',
    'client destinations',
    'propose allowlist (report group)',
  ]) {
    const q = result.queries[name];
    assert.ok(q !== undefined && Number.isFinite(q.medianMs) && q.maxMs >= q.medianMs, name);
  }
});
