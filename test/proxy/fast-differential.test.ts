/**
 * Differential test of the fast engine's request parser against Node's llhttp (node:http with
 * `insecureHTTPParser: false`, as the node engine runs it): one corpus of valid and malformed raw
 * requests goes to both. The fast parser must never accept what node:http refuses, must read the
 * same requests (method, target, version, headers, body) when both accept, and must give the same
 * answer however the bytes are split. Where it is stricter, the cases are listed (STRICTER).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MALFORMED, STRICTER, VALID, type CorpusCase } from './fast-corpus.js';
import { fastVerdict, startNodeOracle, type NodeOracle, type Verdict } from './fast-oracle.js';

const SPLITS = [1, 2, 3, 7, 64];

function bytesOf(c: CorpusCase): Buffer {
  return Buffer.from(c.bytes, 'latin1');
}

/** The fast parser's verdict must not depend on how the input is split into reads. */
function assertSplitInvariant(bytes: Buffer, whole: Verdict): void {
  for (const split of SPLITS) {
    const v = fastVerdict(bytes, split);
    assert.equal(v.ok, whole.ok, `split ${split}: ${v.error ?? ''}`);
    if (whole.ok) assert.deepEqual(v.requests, whole.requests, `split ${split}`);
  }
}

describe('fast request parser vs llhttp (differential)', () => {
  let oracle: NodeOracle;
  before(async () => {
    oracle = await startNodeOracle();
  });
  after(() => oracle.close());

  it('has a corpus of at least 80 cases', () => {
    assert.ok(VALID.length + MALFORMED.length + STRICTER.length >= 80);
    const names = [...VALID, ...MALFORMED, ...STRICTER].map((c) => c.name);
    assert.equal(new Set(names).size, names.length, 'case names are unique');
  });

  describe('valid requests: both accept and read the same requests', () => {
    for (const c of VALID) {
      it(c.name, async () => {
        const bytes = bytesOf(c);
        const node = await oracle.verdict(bytes);
        const fast = fastVerdict(bytes);
        assert.ok(node.ok, `node:http refused: ${node.error ?? ''}`);
        assert.ok(fast.ok, `fast parser refused: ${fast.error ?? ''}`);
        assert.deepEqual(fast.requests, node.requests);
        assertSplitInvariant(bytes, fast);
      });
    }
  });

  describe('malformed requests: llhttp refuses, so does the fast parser', () => {
    for (const c of MALFORMED) {
      it(c.name, async () => {
        const bytes = bytesOf(c);
        const node = await oracle.verdict(bytes);
        const fast = fastVerdict(bytes);
        assert.equal(node.ok, false, 'node:http accepted it; move the case to STRICTER or VALID');
        assert.equal(fast.ok, false, `fast parser accepted: ${JSON.stringify(fast.requests)}`);
        assertSplitInvariant(bytes, fast);
      });
    }
  });

  describe('where the fast parser is stricter than node:http (on purpose)', () => {
    for (const c of STRICTER) {
      it(c.name, async () => {
        const bytes = bytesOf(c);
        const node = await oracle.verdict(bytes);
        const fast = fastVerdict(bytes);
        assert.equal(node.ok, true, `node:http refuses it too (${node.error ?? ''}); move it to MALFORMED`);
        assert.equal(fast.ok, false);
        assertSplitInvariant(bytes, fast);
      });
    }
  });
});
