import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clock, slope, soakIntervals, soakTimeline, summarizeSoak, type SoakPoint } from './soak-stats.js';

const point = (minute: number, rssMiB: number, errors = 0): SoakPoint => ({
  minute,
  rssKiB: rssMiB * 1024,
  ok: 600 - errors,
  errors,
  skipped: 0,
});

describe('soakIntervals', () => {
  it('samples every minute from 6 minutes, every 10 s below, with a fifth as warm-up', () => {
    assert.deepEqual(soakIntervals(10), { intervalMs: 60_000, intervals: 10, warmup: 2 });
    assert.deepEqual(soakIntervals(1), { intervalMs: 10_000, intervals: 6, warmup: 1 });
    assert.deepEqual(soakIntervals(5), { intervalMs: 10_000, intervals: 30, warmup: 6 });
  });
});

describe('slope', () => {
  it('is the least-squares slope', () => {
    assert.equal(slope([0, 1, 2, 3].map((x) => ({ x, y: 2 * x + 5 }))), 2);
    assert.equal(
      slope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 2 },
      ]),
      0.5,
    );
  });
  it('is NaN without two distinct x', () => {
    assert.ok(Number.isNaN(slope([{ x: 1, y: 1 }])));
    assert.ok(
      Number.isNaN(
        slope([
          { x: 1, y: 1 },
          { x: 1, y: 2 },
        ]),
      ),
    );
  });
});

describe('summarizeSoak', () => {
  it('sees error growth and a leak after the warm-up, not during it', () => {
    // Warm-up from 50 to 100 MiB (not a leak), then 1 MiB per minute (a leak).
    const points = [point(1, 50, 1), point(2, 100), point(3, 101), point(4, 102, 2), point(5, 103, 4)];
    const s = summarizeSoak(points, 2);
    assert.equal(s.ops, 3000);
    assert.equal(s.errors, 7);
    assert.equal(s.errorsFirst, 1);
    assert.equal(s.errorsLast, 4);
    assert.equal(s.errorGrowth, 3);
    assert.equal(s.rssWarmMiB, 100);
    assert.equal(s.rssFinalMiB, 103);
    assert.equal(s.rssGrowth, 1.03);
    assert.equal(s.slopeMiBPerMin, 1);
  });
  it('reports a flat soak as flat', () => {
    const s = summarizeSoak([point(1, 80), point(2, 90), point(3, 90), point(4, 90)], 2);
    assert.equal(s.errorGrowth, 0);
    assert.equal(s.rssGrowth, 1);
    assert.equal(s.slopeMiBPerMin, 0);
  });
});

describe('soakTimeline', () => {
  it('has one row per interval with the rate over that interval, both proxies side by side', () => {
    const text = soakTimeline({
      cordon: [point(1 / 6, 128), point(2 / 6, 129, 3)],
      squid: [point(1 / 6, 27.7)],
    });
    const lines = text.split('\n');
    assert.equal(
      lines[0],
      '| time | cordon RSS MiB | cordon ops/s | cordon errors | squid RSS MiB | squid ops/s | squid errors |',
    );
    assert.equal(lines[2], '| 0:10 | 128 | 60.0 | 0 | 27.7 | 60.0 | 0 |');
    assert.equal(lines[3], '| 0:20 | 129 | 60.0 | 3 | – | – | – |');
  });
  it('formats time as m:ss', () => {
    assert.equal(clock(10), '10:00');
    assert.equal(clock(1.5), '1:30');
    assert.equal(clock(Number.NaN), '–');
  });
});

describe('soakTimeline with a store column', () => {
  it('adds the column only for the proxy that has a store', () => {
    const text = soakTimeline({
      cordon: [{ ...point(1, 130), storeMiB: 3.1 }],
      squid: [point(1, 27.7)],
    });
    const [head, sep, row] = text.split('\n');
    assert.equal(
      head,
      '| time | cordon RSS MiB | cordon store MiB | cordon ops/s | cordon errors | squid RSS MiB | squid ops/s | squid errors |',
    );
    assert.equal(sep, '|--:|--:|--:|--:|--:|--:|--:|--:|');
    assert.equal(row, '| 1:00 | 130 | 3.10 | 10.0 | 0 | 27.7 | 10.0 | 0 |');
  });
});
