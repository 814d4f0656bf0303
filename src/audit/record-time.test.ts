/**
 * @module audit/record-time.test
 * `timeMs()` parses each time it is given, kept or not: equal to `Date.parse` whatever the order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeMs } from './record-time.js';

test('timeMs: the same as Date.parse for repeated, alternating and invalid times', () => {
  const times = [
    '2026-01-02T03:04:05.678Z',
    '2026-01-02T03:04:05.678Z',
    '2026-01-02T03:04:05.679Z',
    'not a time',
    '2026-01-02T03:04:05.678Z',
    '',
    '1970-01-01T00:00:00.000Z',
  ];
  for (const t of times) assert.equal(Object.is(timeMs(t), Date.parse(t)), true, t);
});
