/**
 * The review queue (grouping, decisions with who/when/why, re-opening after a revert, rejections
 * that stay quiet), approval scopes that respect the public-suffix list, and allowlist proposals
 * from what report mode observed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { denial, record } from '../../test/admin/fixtures/records.js';
import { configSchema } from '../config/schema.js';
import { proposeAllowlist } from './propose.js';
import { decideReview, getReviewItem, listReview, pendingCount, pendingMatching } from './review.js';
import { entryFor, scopeSuggestions } from './review-scope.js';
import { createAuditStore } from './store.js';

const config = configSchema.parse({});
const later = (ms: number): string => new Date(Date.now() + ms).toISOString();

describe('review queue', () => {
  it('lists pending denials with clients and groups, and records decisions', async () => {
    const store = createAuditStore({ path: ':memory:' });
    store.add(denial('a.test', { client: '10.0.0.1', group: 'team-a' }));
    store.add(denial('a.test', { client: '10.0.0.1', group: 'team-a' }));
    store.add(denial('a.test', { client: '10.0.0.2' }));
    store.add(denial('b.test', { scheme: 'https', port: 443 }));
    store.flush();
    const items = listReview(store.db);
    assert.equal(items.length, 2);
    const a = items.find((i) => i.host === 'a.test');
    assert.ok(a);
    assert.deepEqual([a.scheme, a.port, a.count, a.status], ['http', 80, 3, 'pending']);
    assert.deepEqual(a.clients, ['10.0.0.1', '10.0.0.2']);
    assert.equal(a.clientCount, 2);
    assert.deepEqual(a.groups, ['team-a', 'default']);
    assert.equal(pendingCount(store.db), 2);

    decideReview(store.db, [a.id], { status: 'approved', actor: 'admin', reason: 'needed', changeId: 7 });
    const b = items.find((i) => i.host === 'b.test');
    assert.ok(b);
    decideReview(store.db, [b.id], { status: 'rejected', actor: 'admin', reason: 'no', changeId: null });
    assert.deepEqual(listReview(store.db), []);
    const decided = getReviewItem(store.db, a.id);
    assert.deepEqual(
      [decided?.status, decided?.decidedBy, decided?.decidedReason, decided?.changeId],
      ['approved', 'admin', 'needed', 7],
    );

    // Denied again later: the approval was reverted, so it is pending again; a rejection stays.
    store.add(denial('a.test', { time: later(5000) }));
    store.add(denial('b.test', { scheme: 'https', port: 443, time: later(5000) }));
    store.flush();
    assert.deepEqual(
      listReview(store.db).map((i) => [i.host, i.count]),
      [['a.test', 4]],
    );
    assert.equal(getReviewItem(store.db, b.id)?.count, 2, 'a rejected destination still counts');
    assert.equal(getReviewItem(store.db, 999), null);
    await store.close();
  });

  it('finds pending items a new entry covers', async () => {
    const store = createAuditStore({ path: ':memory:' });
    for (const h of ['x.dom.test', 'y.dom.test', 'other.test']) store.add(denial(h));
    store.flush();
    const ids = pendingMatching(store.db, 'http', (h) => h.endsWith('.dom.test'));
    assert.equal(ids.length, 2);
    await store.close();
  });
});

describe('approval scopes', () => {
  const cases: [host: string, scope: 'host' | 'domain', entry: string | RegExp][] = [
    ['files.pythonhosted.org', 'host', 'files.pythonhosted.org'],
    ['files.pythonhosted.org', 'domain', '.pythonhosted.org'],
    ['a.b.example.co.uk', 'domain', '.example.co.uk'],
    ['someone.github.io', 'domain', '.someone.github.io'],
    ['my-bucket.s3.amazonaws.com', 'domain', '.my-bucket.s3.amazonaws.com'],
    ['203.0.113.7', 'domain', /an IP address has no domain/],
    ['github.io', 'domain', /is a public suffix/],
  ];
  for (const [host, scope, expected] of cases) {
    it(`${scope} scope for ${host}`, () => {
      if (typeof expected === 'string') assert.equal(entryFor(host, scope), expected);
      else assert.throws(() => entryFor(host, scope), { code: 'CORDON_AUDIT_BAD_SCOPE', message: expected });
    });
  }

  it('flags exfiltration-prone suggestions', () => {
    const [host, domain] = scopeSuggestions('paste.pastebin.com', config);
    assert.match(host?.risk ?? '', /pastebin\.com \(paste site\)/);
    assert.equal(domain?.entry, '.pastebin.com');
    assert.ok(domain?.risk);
    assert.equal(scopeSuggestions('pypi.org', config)[1]?.risk, null);
  });
});

describe('proposeAllowlist', () => {
  it('builds a minimal, public-suffix-safe list from report-mode observations', async () => {
    const store = createAuditStore({ path: ':memory:' });
    const seen = (host: string, over = {}) =>
      record({ host, mode: 'report', wouldDeny: true, reason: 'not_allowlisted', group: 'lab', ...over });
    store.add(seen('files.pythonhosted.org', { scheme: 'https', port: 443 }));
    store.add(seen('pypi.pythonhosted.org', { scheme: 'https', port: 443 }));
    store.add(seen('pypi.org', { scheme: 'https', port: 443 }));
    store.add(seen('pypi.org', { scheme: 'https', port: 443 }));
    store.add(seen('a.github.io', { scheme: 'https', port: 443 }));
    store.add(seen('b.github.io', { scheme: 'https', port: 443 }));
    store.add(seen('paste.pastebin.com', { scheme: 'https', port: 443 }));
    store.add(seen('dl.pastebin.com', { scheme: 'https', port: 443 }));
    store.add(seen('mirror.test', { port: 8080 }));
    store.add(seen('other.test', { group: 'not-lab' }));
    store.flush();
    const proposal = proposeAllowlist(store.db, 'lab', config);
    const byEntry = new Map(proposal.map((p) => [`${p.scheme} ${p.entry}`, p]));
    assert.deepEqual([...byEntry.keys()].sort(), [
      'http mirror.test',
      'https .pythonhosted.org',
      'https a.github.io',
      'https b.github.io',
      'https dl.pastebin.com',
      'https paste.pastebin.com',
      'https pypi.org',
    ]);
    assert.deepEqual(byEntry.get('https .pythonhosted.org')?.hosts, [
      'files.pythonhosted.org',
      'pypi.pythonhosted.org',
    ]);
    assert.equal(byEntry.get('https pypi.org')?.count, 2);
    assert.deepEqual(byEntry.get('http mirror.test')?.hosts, ['mirror.test:8080']);
    assert.ok(
      byEntry.get('https paste.pastebin.com')?.risk,
      'exfiltration routes are flagged, never widened',
    );
    assert.equal(byEntry.get('https pypi.org')?.risk, null);
    await store.close();
  });
});
