/**
 * What a crash costs, as docs/admin.md states it: a process feeding the audit store (default
 * settings) is killed with SIGKILL while records wait in its queue. Then
 * - the database opens cleanly (WAL recovery) and passes `integrity_check`;
 * - every record it reported committed is there, and what is there is exactly the oldest records,
 *   in order (whole batches: no gaps, nothing half-written);
 * - no record ever waited in memory longer than the flush interval (200 ms) — neither those
 *   committed during the run nor those lost at the kill — plus however long the process was
 *   stalled by the machine (measured by the child, so a loaded test machine cannot fail a correct
 *   store). So a crash loses at most the last 200 ms of decisions.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/audit/sqlite.js';
import { AUDIT_STORE_DEFAULTS } from '../../src/audit/store.js';

const CHILD = fileURLToPath(new URL('./fixtures/store-crash-child.ts', import.meta.url));
/** Committed records before pulling the plug: several flushes in. */
const KILL_AFTER = 1500;
/** Timer granularity, a tick of the child, rounding in its clock. */
const SLACK_MS = 25;

interface Line {
  n: number;
  ms: number;
  lag: number;
}

it('loses only what was queued (at most the flush interval) on kill -9', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'cordon-crash-')), 'audit.db');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  const added: Line[] = [];
  const commits: Line[] = [];
  let lastMs = 0;
  const written = (): number => commits.at(-1)?.n ?? 0;
  // Read to the end: lines written just before the kill are still in the pipe.
  const drained = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no kill: ${written()} committed in 60 s`)), 60_000);
    createInterface({ input: child.stdout })
      .on('line', (line) => {
        const [kind, a = '', b = '', c = '0'] = line.split(' ');
        const l = { n: Number(a), ms: Number(b), lag: Number(c) };
        lastMs = Math.max(lastMs, l.ms);
        if (kind === 'written') commits.push(l);
        if (kind !== 'added') return;
        added.push(l);
        // Halfway through a flush interval: the oldest queued record has waited 100 ms.
        const oldest = added.find((x) => x.n > written());
        const halfway = oldest !== undefined && l.ms - oldest.ms >= AUDIT_STORE_DEFAULTS.flushMs / 2;
        if (written() >= KILL_AFTER && halfway && child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
        }
      })
      .on('close', () => {
        clearTimeout(timer);
        resolve();
      });
  });
  await drained;
  assert.equal(await exited, 'SIGKILL');

  const db = openDatabase(path);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  const row = db
    .prepare<{ n: number; lo: number; hi: number }>(
      'SELECT count(*) n, min(seq) lo, max(seq) hi FROM decisions',
    )
    .get();
  const found = row?.n ?? 0;
  const newest = db.prepare<{ id: string }>('SELECT id FROM decisions WHERE seq = ?').get(found);
  db.close();
  const queued = added.at(-1)?.n ?? 0;

  assert.ok(found >= written(), `found ${found} of ${written()} reported committed`);
  assert.ok(found <= queued, `found ${found}, but only ${queued} were added`);
  assert.deepEqual([row?.lo, row?.hi], [1, found], 'the oldest records, no gaps');
  assert.equal(newest?.id, `c-${found}`, 'written in the order they came');

  // How long each tick's records waited in memory: until the commit that holds them, or, for those
  // lost, until the child's last sign of life.
  let longest = { waited: 0, n: 0, lost: false };
  for (const a of added) {
    const commit = commits.find((w) => w.n >= a.n);
    const waited = (commit?.ms ?? lastMs) - a.ms;
    if (waited > longest.waited) longest = { waited, n: a.n, lost: commit === undefined };
  }
  const stalled = Math.max(...added.map((a) => a.lag));
  const bound = AUDIT_STORE_DEFAULTS.flushMs + stalled + SLACK_MS;
  t.diagnostic(
    `added ${queued}, reported committed ${written()}, found ${found}, lost ${queued - found}; ` +
      `longest wait in memory ${longest.waited.toFixed(1)} ms (record c-${longest.n}${longest.lost ? ', lost' : ''}); ` +
      `longest stall ${stalled.toFixed(1)} ms`,
  );
  assert.ok(queued > found, 'the kill came while records were queued');
  assert.ok(
    longest.waited <= bound,
    `record c-${longest.n} waited ${longest.waited.toFixed(1)} ms in memory (bound ${bound.toFixed(1)} ms: flush interval + ${stalled.toFixed(1)} ms stalled)`,
  );
});
