import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createClientHelloReader, parseClientHello, type ClientHelloResult } from './client-hello.js';
import { buildClientHello, captureClientHello, handshakeOf, toRecords } from './test-client-hello.js';

let seeds: Buffer[] = [];

before(async () => {
  seeds = [
    await captureClientHello({ servername: 'example.com', ALPNProtocols: ['h2', 'http/1.1'] }),
    await captureClientHello({}),
    buildClientHello({ sni: ['a.example'], alpn: ['h2'], ech: true }),
  ];
});

/** The result without `bytes`, which depends on how much was pushed. */
function summary(r: ClientHelloResult): object {
  return r.kind === 'hello' ? { kind: r.kind, sni: r.sni, ech: r.ech, alpn: r.alpn } : r;
}

function pushInChunks(buf: Buffer, cuts: number[], maxBytes: number): ClientHelloResult {
  const reader = createClientHelloReader({ maxBytes });
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  let at = 0;
  let result: ClientHelloResult = reader.push(Buffer.alloc(0));
  for (const cut of [...points, buf.length]) {
    result = reader.push(buf.subarray(at, cut));
    at = cut;
  }
  return result;
}

function assertSameAsOneShot(buf: Buffer, cuts: number[], maxBytes: number): void {
  const whole = parseClientHello(buf, maxBytes);
  const chunked = pushInChunks(buf, cuts, maxBytes);
  assert.deepEqual(summary(chunked), summary(whole));
  if (chunked.kind === 'hello' && whole.kind === 'hello') {
    assert.ok(whole.bytes.equals(buf));
    assert.ok(buf.subarray(0, chunked.bytes.length).equals(chunked.bytes), 'bytes are a prefix of the input');
  }
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });
const maxBytes = fc.oneof(fc.constant(32 * 1024), fc.integer({ min: 1, max: 700 }));

void test('arbitrary bytes: never throws, any chunking gives the one-shot result', () => {
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc.uint8Array({ maxLength: 600 }).map((b) => Uint8Array.from([22, 3, ...b])),
  );
  fc.assert(
    fc.property(bytes, cuts, maxBytes, (b, c, m) => assertSameAsOneShot(Buffer.from(b), c, m)),
    { numRuns: 2000 },
  );
});

void test('mutated real ClientHellos: never throws, any chunking gives the one-shot result', () => {
  const mutation = fc.record({
    seed: fc.nat(),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
    cut: fc.option(fc.nat()),
    fragment: fc.option(fc.integer({ min: 1, max: 600 })),
  });
  fc.assert(
    fc.property(mutation, cuts, maxBytes, ({ seed, edits, cut, fragment }, c, m) => {
      let buf: Buffer = Buffer.from(seeds[seed % seeds.length] ?? Buffer.alloc(0));
      if (fragment !== null) buf = toRecords(handshakeOf(buf), fragment);
      for (const [pos, byte] of edits) buf[pos % buf.length] = byte;
      if (cut !== null) buf = buf.subarray(0, cut % (buf.length + 1));
      assertSameAsOneShot(buf, c, m);
    }),
    { numRuns: 3000 },
  );
});

void test('valid ClientHellos in any record fragmentation keep their SNI and ALPN', () => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 2000 }), cuts, (seed, fragment, c) => {
      const original = seeds[seed % seeds.length] ?? Buffer.alloc(0);
      const expected = summary(parseClientHello(original));
      const resplit = toRecords(handshakeOf(original), fragment);
      assert.deepEqual(summary(pushInChunks(resplit, c, 32 * 1024)), expected);
    }),
    { numRuns: 500 },
  );
});
