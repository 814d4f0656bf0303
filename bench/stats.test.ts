import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuSeconds, parseProcStat, percentile, rssKiB, summarize } from './stats.js';

describe('percentile', () => {
  const cases: { name: string; values: number[]; q: number; want: number }[] = [
    { name: 'median of odd count', values: [3, 1, 2], q: 0.5, want: 2 },
    {
      name: 'p99 of 100 values is the 99th',
      values: Array.from({ length: 100 }, (_, i) => i + 1),
      q: 0.99,
      want: 99,
    },
    { name: 'p100 is the max', values: [5, 9, 1], q: 1, want: 9 },
    { name: 'p0 is the min', values: [5, 9, 1], q: 0, want: 1 },
  ];
  for (const c of cases) it(c.name, () => assert.equal(percentile(c.values, c.q), c.want));
  it('is NaN for no values', () => assert.ok(Number.isNaN(percentile([], 0.5))));
});

describe('summarize', () => {
  it('gives median, min, max and ignores NaN', () => {
    assert.deepEqual(summarize([4, Number.NaN, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  });
});

describe('parseProcStat', () => {
  it('reads pid, ppid and utime+stime past a command name with spaces and parentheses', () => {
    const line = '42 (my (odd) proc) S 7 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1 1 1';
    assert.deepEqual(parseProcStat(line), { pid: 42, ppid: 7, ticks: 300 });
  });
});

describe('/proc readers', () => {
  it('see this process using CPU and memory', () => {
    assert.ok(cpuSeconds(process.pid) > 0);
    assert.ok(rssKiB(process.pid) > 1024);
  });
});
