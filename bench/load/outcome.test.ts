import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { count, failures, outcomeOf, tallyText, type Tally } from './outcome.js';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('outcomeOf', () => {
  const cases: { name: string; error: unknown; want: string }[] = [
    {
      name: 'a proxy status',
      error: new Error('CONNECT answered HTTP/1.1 429 Too Many Requests'),
      want: '429',
    },
    { name: 'a 503 on HTTP/1.0', error: new Error('CONNECT answered HTTP/1.0 503 Unavailable'), want: '503' },
    { name: 'a reset', error: withCode('read ECONNRESET', 'ECONNRESET'), want: 'closed' },
    { name: 'a write after close', error: withCode('write EPIPE', 'EPIPE'), want: 'closed' },
    { name: 'closed before the answer', error: new Error('closed early'), want: 'closed' },
    { name: 'nothing listening', error: withCode('connect ECONNREFUSED', 'ECONNREFUSED'), want: 'refused' },
    { name: 'the loader timeout', error: new Error('operation timed out'), want: 'timeout' },
    { name: 'a download timeout', error: new Error('download timed out'), want: 'timeout' },
    { name: 'another coded error', error: withCode('connect EMFILE', 'EMFILE'), want: 'EMFILE' },
    { name: 'anything else', error: 'boom', want: 'other' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(outcomeOf(c.error), c.want));
});

describe('tallies', () => {
  it('count, list most frequent first and count failures', () => {
    const t: Tally = {};
    count(t, 'ok', 990);
    count(t, 'closed', 110);
    count(t, '503', 400);
    count(t, 'closed');
    assert.equal(tallyText(t), 'ok 990, 503 400, closed 111');
    assert.equal(failures(t), 511);
    assert.equal(tallyText({}), 'nothing');
  });
});
