/**
 * What a crash costs: a process writing decisions is killed with SIGKILL mid-stream. Every batch it
 * reported committed must be in the database, which must open cleanly (WAL recovery); only records
 * still queued in memory (at most `flushMs` worth) may be missing. docs/admin.md states this.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/audit/sqlite.js';

const CHILD = fileURLToPath(new URL('./fixtures/store-crash-child.ts', import.meta.url));

it('keeps every committed batch after kill -9', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cordon-crash-')), 'audit.db');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let committed = 0;
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child reported no flushes')), 30_000);
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) committed = Math.max(committed, Number(l.split(' ')[1]));
      // Several batches in, while it is still writing: pull the plug.
      if (committed >= 5000 && child.kill('SIGKILL')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  assert.equal(await exited, 'SIGKILL');
  const db = openDatabase(path);
  const row = db.prepare<{ n: number }>('SELECT count(*) n FROM decisions').get();
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  assert.ok((row?.n ?? 0) >= committed, `found ${row?.n} of ${committed} committed decisions`);
});
