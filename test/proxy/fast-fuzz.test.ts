/**
 * Property tests of the fast engine's parsers. Random mutations of valid requests go to llhttp
 * (node:http) and to the fast parser: when llhttp refuses, the fast parser refuses; when both
 * accept, they read the same requests. Arbitrary bytes never make either parser throw anything but
 * its coded error, and the verdict never depends on how the bytes are split. The chunked reader's
 * framed output is re-read to the same payload, without extensions or trailers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ProxyError } from '../../src/proxy/errors.js';
import { ChunkedReader } from '../../src/proxy/fast/chunked.js';
import { badRequest } from '../../src/proxy/fast/request-parser.js';
import { ResponseParser } from '../../src/proxy/fast/response-parser.js';
import { VALID } from './fast-corpus.js';
import { fastVerdict, startNodeOracle, type NodeOracle } from './fast-oracle.js';

// Bytes that matter to HTTP framing, weighted in next to arbitrary ones.
const INTERESTING = [
  0, 9, 10, 13, 32, 34, 43, 44, 45, 48, 49, 53, 58, 59, 61, 92, 97, 102, 120, 127, 128, 255,
];

const byteArb = fc.oneof(fc.constantFrom(...INTERESTING), fc.integer({ min: 0, max: 255 }));

// Whole lines and fragments that change framing, spliced in anywhere.
const FRAGMENTS = [
  'Transfer-Encoding: chunked\r\n',
  'Content-Length: 3\r\n',
  'Content-Length: 0\r\n',
  'Host: b\r\n',
  'Connection: close\r\n',
  'Proxy-Connection: keep-alive\r\n',
  'Connection: upgrade\r\nUpgrade: x\r\n',
  'Expect: 100-continue\r\n',
  '\r\n',
  '0\r\n\r\n',
  '3\r\nabc\r\n',
  ' x\r\n',
  'GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n',
  'HTTP/1.0',
  ';a=b',
  ', chunked',
];

type Mutation =
  | { kind: 'insert' | 'replace' | 'delete'; at: number; byte: number }
  | { kind: 'splice'; at: number; text: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insert', 'replace', 'delete'), at: fc.nat(), byte: byteArb }),
  fc.record({ kind: fc.constant('splice'), at: fc.nat(), text: fc.constantFrom(...FRAGMENTS) }),
);

function mutate(base: Buffer, ms: Mutation[]): Buffer {
  const out = [...base];
  for (const m of ms) {
    const at = m.at % (out.length + 1);
    if (m.kind === 'splice') out.splice(at, 0, ...Buffer.from(m.text, 'latin1'));
    else if (m.kind === 'insert') out.splice(at, 0, m.byte);
    else if (at < out.length) {
      if (m.kind === 'replace') out[at] = m.byte;
      else out.splice(at, 1);
    }
  }
  return Buffer.from(out);
}

const seedArb = fc.constantFrom(...VALID.map((c) => Buffer.from(c.bytes, 'latin1')));
const mutatedArb = fc
  .tuple(seedArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
  .map(([b, ms]) => mutate(b, ms));

describe('fast parser fuzz', () => {
  let oracle: NodeOracle;
  before(async () => {
    oracle = await startNodeOracle();
  });
  after(() => oracle.close());

  it('refuses every mutation llhttp refuses, and reads accepted ones the same way', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedArb, async (bytes) => {
        const fast = fastVerdict(bytes);
        if (!fast.ok) return;
        const node = await oracle.verdict(bytes);
        assert.ok(
          node.ok,
          `fast accepted what llhttp refused (${node.error ?? ''}): ${JSON.stringify(bytes.toString('latin1'))}`,
        );
        assert.deepEqual(fast.requests, node.requests);
      }),
      { numRuns: 4000 },
    );
  });

  it('gives the same verdict however the bytes are split, and throws only coded errors', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mutatedArb,
          fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
        ),
        fc.integer({ min: 1, max: 40 }),
        (bytes, split) => {
          const whole = fastVerdict(bytes);
          const pieces = fastVerdict(bytes, split);
          assert.equal(pieces.ok, whole.ok);
          if (whole.ok) assert.deepEqual(pieces.requests, whole.requests);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the response parser throws only coded errors', () => {
    const seed = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    fc.assert(
      fc.property(fc.array(mutationArb, { maxLength: 4 }), (ms) => {
        const p = new ResponseParser(16384);
        try {
          p.push(mutate(seed, ms));
        } catch (e: unknown) {
          assert.ok(e instanceof ProxyError, String(e));
          assert.equal(e.code, 'CORDON_PROXY_UPSTREAM_PROTOCOL');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/** A chunked body with random chunking, extensions and trailers, and the payload it carries. */
const chunkedArb = fc
  .record({
    chunks: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 6 }),
    ext: fc.array(fc.constantFrom('', ';a', ';a=b', ';q="x y"', ';e="\\""'), { minLength: 7, maxLength: 7 }),
    zeros: fc.nat({ max: 3 }),
    trailers: fc.array(fc.constantFrom('X-T: 1', 'Y:', 'Z: a b'), { maxLength: 2 }),
  })
  .map(({ chunks, ext, zeros, trailers }) => {
    const parts: Buffer[] = chunks.map((c, i) =>
      Buffer.concat([
        Buffer.from(`${'0'.repeat(zeros)}${c.length.toString(16)}${ext[i] ?? ''}\r\n`),
        c,
        Buffer.from('\r\n'),
      ]),
    );
    parts.push(Buffer.from(`0${ext[6] ?? ''}\r\n${trailers.map((t) => `${t}\r\n`).join('')}\r\n`));
    return { wire: Buffer.concat(parts), payload: Buffer.concat(chunks) };
  });

describe('chunked pass-through', () => {
  it('hands on framing that re-reads to the same payload, with extensions and trailers dropped', () => {
    fc.assert(
      fc.property(chunkedArb, fc.integer({ min: 1, max: 50 }), ({ wire, payload }, split) => {
        const framed: Buffer[] = [];
        const reader = new ChunkedReader(true, 4096, badRequest);
        for (let at = 0; at < wire.length; at += split) {
          const piece = wire.subarray(at, at + split);
          assert.equal(reader.feed(piece, 0, { push: (b) => framed.push(Buffer.from(b)) }), piece.length);
        }
        assert.ok(reader.done);
        assert.equal(reader.payloadBytes, payload.length);
        const out = Buffer.concat(framed);
        const again: Buffer[] = [];
        const check = new ChunkedReader(false, 2, badRequest);
        assert.equal(check.feed(out, 0, { push: (b) => again.push(b) }), out.length);
        assert.ok(check.done, 'the output ends with a last chunk and no trailers');
        assert.deepEqual(Buffer.concat(again), payload);
        assert.ok(!out.includes(';'.charCodeAt(0)) || payload.includes(';'.charCodeAt(0)));
      }),
      { numRuns: 1000 },
    );
  });
});
