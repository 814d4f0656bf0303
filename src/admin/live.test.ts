/**
 * The live tail's fan-out: filters by client (exact), host (and its subdomains, never a suffix
 * that is not a label boundary) and decision; each subscriber's queue is bounded and counts what it
 * dropped; closing the feed ends every subscription.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denial, record } from '../../test/admin/fixtures/records.js';
import { createLiveFeed, matches, type LiveFilter } from './live.js';

describe('live tail filters', () => {
  const r = record({ client: '10.0.0.7', host: 'files.pythonhosted.org' });
  const cases: [name: string, filter: LiveFilter, match: boolean][] = [
    ['no filter', {}, true],
    ['client', { client: '10.0.0.7' }, true],
    ['other client', { client: '10.0.0.70' }, false],
    ['host', { host: 'files.pythonhosted.org' }, true],
    ['parent domain', { host: 'pythonhosted.org' }, true],
    ['not a label boundary', { host: 'hosted.org' }, false],
    ['a subdomain of the host', { host: 'x.files.pythonhosted.org' }, false],
    ['decision', { decision: 'allow' }, true],
    ['other decision', { decision: 'deny' }, false],
    ['all three', { client: '10.0.0.7', host: 'pythonhosted.org', decision: 'allow' }, true],
    ['all but one', { client: '10.0.0.7', host: 'pythonhosted.org', decision: 'deny' }, false],
  ];
  for (const [name, filter, match] of cases) {
    it(`${match ? 'shows' : 'hides'} with ${name}`, () => assert.equal(matches(filter, r), match));
  }
});

describe('live feed', () => {
  it('delivers matching records to each subscriber, bounded, and ends on closeAll', async () => {
    const feed = createLiveFeed();
    const denied = feed.subscribe({ decision: 'deny' });
    const all = feed.subscribe({});
    assert.equal(feed.subscribers, 2);
    feed.publish(record({ host: 'a.test' }));
    feed.publish(denial('b.test'));
    assert.deepEqual(
      (await denied.next()).records.map((x) => x.host),
      ['b.test'],
    );
    assert.deepEqual(
      (await all.next()).records.map((x) => x.host),
      ['a.test', 'b.test'],
    );

    // A browser that stopped reading keeps the newest 1000 and learns how many it missed.
    for (let i = 0; i < 1005; i++) feed.publish(record({ id: `r${i}` }));
    const burst = await all.next();
    assert.equal(burst.records.length, 1000);
    assert.equal(burst.dropped, 5);
    assert.equal(burst.records[0]?.id, 'r5');

    const waiting = denied.next();
    feed.closeAll();
    assert.deepEqual(await waiting, { records: [], dropped: 0 });
    assert.ok(denied.closed && all.closed);
    assert.equal(feed.subscribers, 0);
  });
});
