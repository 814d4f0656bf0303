/**
 * @module proxy/fast/pool.test
 * The pool's keys: `address:port`, equal for the same destination (kept, so lookups reuse its
 * hash), distinct for every other, and still right past the bound on kept keys.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UpstreamPool } from './pool.js';

describe('UpstreamPool.keyOf', () => {
  it('names a destination as address:port, and again the same for the same destination', () => {
    const pool = new UpstreamPool(1000, 16384);
    const a = pool.keyOf('192.0.2.1', 80);
    assert.equal(a, '192.0.2.1:80');
    assert.equal(pool.keyOf('192.0.2.1', 80), a);
    assert.equal(pool.keyOf('192.0.2.1', 8080), '192.0.2.1:8080');
    assert.equal(pool.keyOf('2001:db8::1', 80), '2001:db8::1:80');
    assert.equal(pool.keyOf('192.0.2.10', 80), '192.0.2.10:80');
  });

  it('stays right past the bound on kept keys', () => {
    const pool = new UpstreamPool(1000, 16384);
    for (let i = 0; i < 10_000; i++) {
      const address = `10.0.${(i >> 8) & 255}.${i & 255}`;
      assert.equal(pool.keyOf(address, 1 + (i % 7)), `${address}:${1 + (i % 7)}`);
    }
    assert.equal(pool.keyOf('10.0.0.1', 2), '10.0.0.1:2');
  });
});
