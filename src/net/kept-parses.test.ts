/**
 * @module net/kept-parses.test
 * Kept parses: one parse per distinct text, frozen shared answers, failures never kept, and the
 * bound holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keptParses } from './kept-parses.js';

function counting(): { parse: (t: string) => { n: number }; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    parse: (t) => {
      calls.push(t);
      if (t.startsWith('bad')) throw new Error(`bad ${t}`);
      return { n: t.length };
    },
  };
}

describe('keptParses', () => {
  it('parses each distinct text once and hands out the same frozen answer', () => {
    const c = counting();
    const p = keptParses(c.parse);
    const a = p('abc');
    assert.equal(p('abc'), a);
    assert.ok(Object.isFrozen(a));
    assert.deepEqual(p('de'), { n: 2 });
    assert.deepEqual(c.calls, ['abc', 'de']);
  });

  it('never keeps a failure: the same bad text throws, and is parsed, every time', () => {
    const c = counting();
    const p = keptParses(c.parse);
    assert.throws(() => p('bad1'), /bad bad1/);
    assert.throws(() => p('bad1'), /bad bad1/);
    assert.deepEqual(c.calls, ['bad1', 'bad1']);
  });

  it('holds at most its bound, and parses again what it let go', () => {
    const c = counting();
    const p = keptParses(c.parse, 3);
    for (const t of ['a', 'b', 'c', 'd', 'a']) p(t);
    // 'd' found the map full and emptied it, so 'a' was parsed again.
    assert.deepEqual(c.calls, ['a', 'b', 'c', 'd', 'a']);
    p('d');
    assert.equal(c.calls.length, 5, "'d' is kept after the emptying");
  });
});
