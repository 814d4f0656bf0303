/**
 * @module audit/store-bench
 * Benchmark of the audit store at scale (a small run is a smoke test in `npm test`; the full one is
 * run by hand): writes N decisions (default one million; 5,000 destinations skewed like real
 * egress, 200 clients, 10 % denials) through the store's own batching, then times every query the
 * dashboard and API make. Prints JSON; with `--check`, exits 1 when a query's median exceeds its
 * budget. docs/admin.md shows the figures.
 *
 *   npm run bench:store -- [--rows 1000000] [--check]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { configSchema } from '../config/schema.js';
import type { AccessRecord } from '../proxy/records.js';
import { proposeAllowlist } from './propose.js';
import { listReview, pendingCount } from './review.js';
import { createAuditStore } from './store.js';
import * as q from './store-queries.js';

/** Each query's median must stay under this at a million rows (ms): pages render in well under a second. */
const BUDGET_MS = 50;
/** "Propose an allowlist" is an explicit action, not a page view: it may take longer. */
const PROPOSE_BUDGET_MS = 500;

/** A deterministic spread in [0, 1) (murmur3's finaliser over i and a salt), so runs are comparable. */
function spread(i: number, salt: number): number {
  let x = (i + Math.imul(salt, 0x9e3779b9)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

function makeRecord(i: number, t0: number): AccessRecord {
  // Skewed like real egress: a few package indexes and buckets take most requests, a long tail the rest.
  const h = Math.floor(5000 * spread(i, 1) ** 3);
  const host = `h${h}.example${h % 37}.test`;
  const deny = i % 10 === 0;
  const report = i % 97 === 0;
  return {
    time: new Date(t0 + i * 5).toISOString(),
    id: `b-${i}`,
    client: `10.0.${Math.floor(spread(i, 2) * 4)}.${Math.floor(spread(i, 3) * 50)}`,
    method: i % 3 === 0 ? 'CONNECT' : 'GET',
    scheme: i % 3 === 0 ? 'https' : 'http',
    host,
    port: i % 3 === 0 ? 443 : 80,
    path: i % 3 === 0 ? null : `/p/${i % 100}`,
    decision: deny ? 'deny' : 'allow',
    mode: report ? 'report' : 'enforce',
    wouldDeny: report,
    reason: deny || report ? 'not_allowlisted' : 'allowed',
    rule: deny ? null : `.example${i % 37}.test (cordon.yaml:http.allow[0])`,
    group: report ? 'lab' : 'default',
    resolved: deny ? null : '192.0.2.10',
    status: deny ? 403 : 200,
    bytesUp: deny ? 0 : 300,
    bytesDown: deny ? 0 : 5000,
    dnsMs: deny ? null : 1.2,
    connectMs: deny ? null : 3.4,
    durationMs: 12,
    policyVersion: 1,
  };
}

function time(fn: () => unknown, runs = 15): { medianMs: number; maxMs: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return {
    medianMs: +(samples[Math.floor(runs / 2)] ?? 0).toFixed(3),
    maxMs: +(samples[runs - 1] ?? 0).toFixed(3),
  };
}

export async function runBench(rows: number): Promise<{
  write: Record<string, number>;
  queries: Record<string, { medianMs: number; maxMs: number }>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'cordon-bench-'));
  const store = createAuditStore({ path: join(dir, 'audit.db'), maxDecisions: rows + 1, maxAgeDays: 3650 });
  const t0 = Date.now() - rows * 5;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rows; i++) {
    store.add(makeRecord(i, t0));
    if (store.stats().queued >= 20_000) store.flush();
  }
  store.flush();
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const db = store.db;
  const now = Date.now();
  const cursor = q.queryDecisions(db, { limit: 100 }).next ?? 0;
  const config = configSchema.parse({});
  const queries = {
    'decisions, first page': time(() => q.queryDecisions(db, { limit: 100 })),
    'decisions, deep page (cursor)': time(() =>
      q.queryDecisions(db, { limit: 100, before: cursor - 500_000 }),
    ),
    'decisions by client': time(() => q.queryDecisions(db, { client: '10.0.1.7', limit: 100 })),
    'decisions by host': time(() => q.queryDecisions(db, { host: 'h42.example5.test', limit: 100 })),
    'decisions, denied only': time(() => q.queryDecisions(db, { decision: 'deny', limit: 100 })),
    'decisions, last hour': time(() => q.queryDecisions(db, { since: now - 3600_000, limit: 100 })),
    'decisions, client + deny + day': time(() =>
      q.queryDecisions(db, { client: '10.0.1.7', decision: 'deny', since: now - 86_400_000, limit: 100 }),
    ),
    'review queue (pending)': time(() => listReview(db, { limit: 100 })),
    'pending count': time(() => pendingCount(db)),
    'top destinations': time(() => q.topDestinations(db, 'total')),
    'top denials': time(() => q.topDestinations(db, 'denied')),
    'traffic, last hour': time(() => q.trafficSeries(db, now, 60)),
    totals: time(() => q.totals(db)),
    clients: time(() => q.listClients(db)),
    'client destinations': time(() => q.clientDestinations(db, '10.0.1.7')),
    'propose allowlist (report group)': time(() => proposeAllowlist(db, 'lab', config), 5),
  };
  const bytes = statSync(join(dir, 'audit.db')).size;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return {
    write: {
      rows,
      seconds: +secs.toFixed(2),
      rowsPerSecond: Math.round(rows / secs),
      // What one transaction of the default batch (250) holds the event loop for.
      batchMs: +((250 / rows) * secs * 1000).toFixed(1),
      dbBytes: bytes,
    },
    queries,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, check: { type: 'boolean' } } });
  const result = await runBench(Number(values.rows ?? 1_000_000));
  console.log(JSON.stringify(result, null, 2));
  const budget = (name: string): number => (name.startsWith('propose') ? PROPOSE_BUDGET_MS : BUDGET_MS);
  const slow = Object.entries(result.queries).filter(([name, t]) => t.medianMs > budget(name));
  if (values.check && slow.length > 0) {
    console.error(`over budget: ${slow.map(([k]) => k).join(', ')}`);
    process.exitCode = 1;
  }
}
