/**
 * The dashboard's queries stay on indexes whatever the filters, so they stay fast at millions of
 * decisions (store-bench.ts measures it): no full scan of `decisions` and no sort of a whole table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAuditStore } from './store.js';
import { decisionsSql, type DecisionFilter } from './store-queries.js';

const filters: [string, DecisionFilter][] = [
  ['none', {}],
  ['cursor', { before: 1000 }],
  ['client', { client: '10.0.0.1' }],
  ['host', { host: 'a.test' }],
  ['deny', { decision: 'deny' }],
  ['allow', { decision: 'allow' }],
  ['since', { since: 1 }],
  ['client + deny + time + cursor', { client: '10.0.0.1', decision: 'deny', since: 1, until: 2, before: 9 }],
  ['host + client + group + reason', { host: 'a.test', client: '10.0.0.1', group: 'g', reason: 'allowed' }],
];

describe('query plans', () => {
  const store = createAuditStore({ path: ':memory:' });
  const plan = (sql: string, params: unknown[] = []): string =>
    store.db
      .prepare<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...(params as never[]))
      .map((r) => r.detail)
      .join('\n');

  for (const [name, f] of filters) {
    it(`decisions filtered by ${name}`, () => {
      const { sql, params } = decisionsSql(f);
      const p = plan(sql, params);
      assert.doesNotMatch(p, /TEMP B-TREE/, p);
      assert.match(p, /SEARCH decisions|SCAN decisions USING (COVERING )?INDEX|SCAN decisions$/m, p);
      // Newest first, a time window from `since` is where a plain walk from the top starts anyway.
      if (Object.keys(f).some((k) => (k !== 'decision' && k !== 'since') || f.decision === 'deny')) {
        assert.doesNotMatch(p, /^SCAN decisions$/m, `a filter should narrow the scan: ${p}`);
      }
    });
  }

  const aggregates: [string, string][] = [
    ['clients', 'SELECT * FROM client_stats ORDER BY last_seen DESC LIMIT 200'],
    [
      'pending review',
      "SELECT * FROM review WHERE status = 'pending' ORDER BY last_seen DESC, id DESC LIMIT 100",
    ],
  ];
  for (const [name, sql] of aggregates) {
    it(`${name} read in index order`, () => assert.doesNotMatch(plan(sql), /TEMP B-TREE FOR ORDER BY/));
  }
});
