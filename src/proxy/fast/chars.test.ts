/**
 * @module proxy/fast/chars.test
 * The byte helpers the parsers scan with: `indexOfByte` finds the first byte within its bounds on
 * both of its paths (short lines searched in JavaScript, long ones by `Buffer#indexOf`), never past
 * `end`; `bytesAt` compares in place.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesAt, HTTP_1_DOT, indexOfByte } from './chars.js';

describe('indexOfByte', () => {
  it('agrees with a plain search inside [from, end) for every position, short and long', () => {
    for (const len of [0, 1, 10, 63, 64, 65, 200, 5000]) {
      for (const at of [0, 1, 30, 63, 64, 65, 150, len - 1]) {
        if (at < 0 || at >= len) continue;
        const buf = Buffer.alloc(len, 0x61);
        buf[at] = 0x20;
        if (at + 7 < len) buf[at + 7] = 0x20;
        for (const from of [0, 1, at, at + 1]) {
          for (const end of [len, at, at + 1, Math.min(len, from + 64)]) {
            if (from > len || end > len) continue;
            const plain = buf.subarray(0, end).indexOf(0x20, from);
            assert.equal(
              indexOfByte(buf, 0x20, from, end),
              plain,
              `len ${len} at ${at} from ${from} end ${end}`,
            );
          }
        }
      }
    }
  });

  it('never answers past end, even when the byte follows it', () => {
    const buf = Buffer.from('GET\r\nHost: a b\r\n', 'latin1');
    assert.equal(indexOfByte(buf, 0x20, 0, 3), -1);
    const long = Buffer.concat([Buffer.alloc(100, 0x61), Buffer.from(' ')]);
    assert.equal(indexOfByte(long, 0x20, 0, 100), -1);
    assert.equal(indexOfByte(long, 0x20, 0, 101), 100);
  });
});

describe('bytesAt', () => {
  it('compares the bytes at an offset, and fails past the end of the buffer', () => {
    const buf = Buffer.from('xxHTTP/1.1');
    const http = HTTP_1_DOT;
    assert.equal(bytesAt(buf, 2, http), true);
    assert.equal(bytesAt(buf, 1, http), false);
    assert.equal(bytesAt(Buffer.from('HTTP/1'), 0, http), false);
  });
});
