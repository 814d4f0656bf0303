/**
 * bench:ab's arguments, its pairing of windows round by round, its report, and one real run of two
 * Node floors under CONNECT load (real processes and sockets on loopback).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { abMarkdown, parseAbOptions, roundOrder, runAb, summarizeAb } from './ab.js';
import { BENCH_ERRORS } from './errors.js';
import { createProcSet } from './procs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('bench:ab arguments', () => {
  it('defaults to CONNECT windows, 12 rounds of 2 s after 8 s of warm-up', () => {
    assert.deepEqual(parseAbOptions(['a', 'b']), {
      mode: 'connect',
      rounds: 12,
      windowS: 2,
      warmS: 8,
      targets: ['a', 'b'],
    });
    assert.equal(parseAbOptions(['--mode', 'small', 'a', 'b']).warmS, 3);
  });

  it('refuses one target, an unknown mode, a bad number or an unknown flag', () => {
    const usage = (argv: string[]): void =>
      assert.throws(() => parseAbOptions(argv), { code: BENCH_ERRORS.USAGE });
    usage(['a']);
    usage(['--mode', 'bulk', 'a', 'b']);
    usage(['--rounds', '0', 'a', 'b']);
    usage(['--window', 'x', 'a', 'b']);
    usage(['--fast', 'a', 'b']);
  });
});

describe('bench:ab pairing', () => {
  it('visits the targets forward, then backward', () => {
    assert.deepEqual(roundOrder(3, 0), [0, 1, 2]);
    assert.deepEqual(roundOrder(3, 1), [2, 1, 0]);
    assert.deepEqual(roundOrder(3, 2), [0, 1, 2]);
  });

  it('divides each round by the first target of the same round, not by its median', () => {
    // A slow phase in round 2 doubles both; the paired ratio stays 0.9, the ratio of medians would not.
    const rows = summarizeAb(['a', 'b'], {
      cpuUs: [
        [100, 200, 100],
        [90, 180, 95],
      ],
      opsPerS: [
        [1000, 500, 1000],
        [1100, 550, 1050],
      ],
      p99Ms: [
        [4, 8, 4],
        [5, 8, 4.4],
      ],
    });
    assert.equal(rows[0]?.ratio.median, 1);
    assert.equal(rows[1]?.ratio.median, 0.9);
    assert.equal(rows[1]?.ratio.max, 0.95);
    assert.equal(rows[1]?.cpuUs.median, 95);
    // p99 paired the same way: 1.25, 1.0 and 1.1, whose median is 1.1 (a ratio of medians: 5/4).
    assert.equal(rows[1]?.p99Ratio.median, 1.1);
    assert.equal(rows[1]?.p99Ms.median, 5);
    const md = abMarkdown({ mode: 'connect', rounds: 3, windowS: 2, warmS: 8, targets: ['a', 'b'] }, rows);
    assert.match(
      md,
      /^\| b \| 95\.0 \(90\.0–180\.0\) \| 1050\.0 \| 0\.900 \(0\.900–0\.950\) \| 5\.00 \| 1\.100 \(1\.000–1\.250\) \|$/m,
    );
  });
});

describe('bench:ab run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-ab-test-'));
  const procs = createProcSet();
  after(async () => {
    await procs.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('measures two floors round by round', async () => {
    const o = { mode: 'connect' as const, rounds: 2, windowS: 0.5, warmS: 0.5, targets: ['floor', 'floor'] };
    const rows = await runAb(o, root, procs, dir, () => undefined);
    assert.equal(rows.length, 2);
    for (const r of rows) {
      assert.equal(r.cpuUs.n, 2);
      assert.ok(r.opsPerS.median > 0, `${r.target} served nothing`);
      assert.ok(r.cpuUs.median > 0);
      assert.ok(r.p99Ms.median > 0, `${r.target} has no latency`);
    }
    assert.equal(rows[0]?.ratio.median, 1);
    assert.ok(Number.isFinite(rows[1]?.ratio.median));
  });
});
