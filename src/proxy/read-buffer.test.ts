/**
 * Which buffer a connection reads into next: the shared one while quiet, its own while busy, kept
 * over a single small read, given back after a lull or when parked, replaced while a write still
 * points into it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QUIET_READS, ReadBuffer, readResult } from './read-buffer.js';

const BIG = 64 * 1024;
const SMALL = 100;

/** A connection's reads, driven the way `net` drives `onread`: ask for a buffer, fill it, call back. */
type Connection = ReturnType<typeof connection>;

function connection() {
  let held = false;
  let parkNow = false;
  const reads = new ReadBuffer();
  const opts = reads.onread(() => {
    if (parkNow) reads.park();
    return readResult(held, false);
  });
  const buffer = opts.buffer as () => Buffer;
  return {
    /** The next read's handler parks the connection (as the pool does when a response ends). */
    parkOnNextRead(): void {
      parkNow = true;
    },
    /** The buffer the next read lands in. */
    next: buffer,
    /** One read of `n` bytes; `hold`: the handler's write still points into it. Returns its buffer. */
    read(n: number, hold = false): Buffer {
      const b = buffer();
      held = hold;
      opts.callback(n, b);
      parkNow = false;
      return b;
    },
  };
}

test('a quiet connection reads into the buffer every connection shares', () => {
  const a = connection();
  const b = connection();
  for (let i = 0; i < 10; i++) a.read(SMALL);
  assert.equal(a.next(), b.next());
});

test('a busy connection keeps its own buffer over one small read in the middle of a transfer', () => {
  const c = connection();
  const shared = c.next();
  c.read(BIG);
  const own = c.next();
  assert.notEqual(own, shared);
  c.read(BIG);
  assert.equal(c.next(), own, 'reused from read to read');
  for (let i = 0; i < QUIET_READS - 1; i++) c.read(SMALL);
  assert.equal(c.next(), own, 'a blip is not a lull');
  c.read(BIG);
  assert.equal(c.next(), own);
});

/** A busy connection lets its buffer go (`letGo`), reads into the shared one, then gets a fresh one. */
function givesBack(letGo: (c: Connection) => void): void {
  const c = connection();
  const shared = c.next();
  c.read(BIG);
  const own = c.next();
  letGo(c);
  assert.equal(c.next(), shared, 'the shared buffer again');
  c.read(BIG);
  assert.notEqual(c.next(), shared, 'busy again: a buffer of its own');
  assert.notEqual(c.next(), own, 'a fresh one: the old one may still be written from');
}

test('after a lull the own buffer is given back, and a new transfer gets one again', () =>
  givesBack((c) => {
    for (let i = 0; i < QUIET_READS; i++) c.read(SMALL);
  }));

test('a buffer a write still points into is never read into again', () => {
  const c = connection();
  c.read(BIG);
  const first = c.read(BIG, true);
  const second = c.next();
  assert.notEqual(second, first);
  // Also when the held read was a small one: the next read goes to the shared buffer.
  c.read(BIG);
  const third = c.read(SMALL, true);
  assert.equal(third, second);
  assert.notEqual(c.next(), third);
});

test('a connection parked in the middle of a large read (back in the pool) holds no buffer of its own', () =>
  givesBack((c) => {
    c.parkOnNextRead();
    c.read(BIG);
  }));
