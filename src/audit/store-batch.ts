/**
 * @module audit/store-batch
 * Writes one batch of access records in one transaction: the raw decisions, then the aggregates
 * (per destination, per client, traffic per minute, the review queue and what report/learn mode
 * observed), each summed in memory first so a batch costs one upsert per key. What one client sends
 * where is read from the decisions themselves (by the client index): a client × destination table
 * cost more per write than all the other aggregates together.
 * Called by the store's flush, never on the request path.
 */
import type { AccessRecord } from '../proxy/records.js';
import type { Database } from './sqlite.js';
import { timeMs } from './record-time.js';

type Prepared = ReturnType<Database['prepare']>;

/** Denials an allowlist entry can fix: these go to the review queue (and, in report mode, `observed`). */
export const REVIEWABLE_REASONS: ReadonlySet<string> = new Set(['not_allowlisted', 'ip_literal_not_allowed']);

/** What one batch adds to one aggregate row; `r` is the batch's first record for that row (its keys). */
interface Sum {
  r: AccessRecord;
  allowed: number;
  denied: number;
  wouldDeny: number;
  up: number;
  down: number;
  first: number;
  last: number;
}

/**
 * Add `r` to the row `k` of `map`. A row's key columns are read from its first record when it is
 * written, so a record costs one key string (or none), not an array of values joined per record.
 */
function add<K>(map: Map<K, Sum>, k: K, r: AccessRecord, ts: number): void {
  let s = map.get(k);
  if (s === undefined) {
    s = { r, allowed: 0, denied: 0, wouldDeny: 0, up: 0, down: 0, first: ts, last: ts };
    map.set(k, s);
  }
  if (r.decision === 'allow') s.allowed += 1;
  else s.denied += 1;
  if (r.wouldDeny) s.wouldDeny += 1;
  s.up += r.bytesUp;
  s.down += r.bytesDown;
  if (ts < s.first) s.first = ts;
  if (ts > s.last) s.last = ts;
}

const destKey = (r: AccessRecord): string => `${r.scheme}\u0000${r.host}\u0000${r.port}`;

const SQL = {
  decision: `INSERT INTO decisions (ts, id, client, method, scheme, host, port, path, decision, mode, would_deny,
    reason, rule, grp, resolved, status, bytes_up, bytes_down, dns_ms, connect_ms, duration_ms, policy_version)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  dest: `INSERT INTO dest_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET allowed = allowed + excluded.allowed, denied = denied + excluded.denied,
    would_deny = would_deny + excluded.would_deny, bytes_up = bytes_up + excluded.bytes_up,
    bytes_down = bytes_down + excluded.bytes_down, last_seen = max(last_seen, excluded.last_seen)`,
  client: `INSERT INTO client_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET grp = excluded.grp, allowed = allowed + excluded.allowed,
    denied = denied + excluded.denied, would_deny = would_deny + excluded.would_deny,
    bytes_up = bytes_up + excluded.bytes_up, bytes_down = bytes_down + excluded.bytes_down,
    last_seen = max(last_seen, excluded.last_seen)`,
  counters:
    'UPDATE counters SET allowed = allowed + ?, denied = denied + ?, would_deny = would_deny + ? WHERE id = 1',
  traffic: `INSERT INTO traffic VALUES (?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET allowed = allowed + excluded.allowed, denied = denied + excluded.denied,
    would_deny = would_deny + excluded.would_deny`,
  // A destination approved earlier but denied again later (the approval was reverted) is pending again;
  // a rejected one stays rejected: that is what "stops showing as new" means.
  review: `INSERT INTO review (scheme, host, port, reason, count, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET count = count + excluded.count, last_seen = max(last_seen, excluded.last_seen),
    reason = excluded.reason,
    status = CASE WHEN status = 'approved' AND excluded.last_seen > decided_at THEN 'pending' ELSE status END
    RETURNING id`,
  reviewClient: `INSERT INTO review_clients VALUES (?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET grp = excluded.grp, count = count + excluded.count,
    last_seen = max(last_seen, excluded.last_seen)`,
  observed: `INSERT INTO observed VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO UPDATE SET count = count + excluded.count, last_seen = max(last_seen, excluded.last_seen)`,
} as const;

/** Prepare the statements once; the returned function writes one batch in one transaction. */
export function createBatchWriter(db: Database): (records: readonly AccessRecord[]) => void {
  const st = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Record<
    keyof typeof SQL,
    Prepared
  >;
  return db.transaction((records: readonly AccessRecord[]) => {
    const dest = new Map<string, Sum>();
    const client = new Map<string, Sum>();
    const traffic = new Map<number, Sum>();
    const review = new Map<string, Sum>();
    const reviewClient = new Map<string, Sum>();
    const observed = new Map<string, Sum>();
    for (const r of records) {
      const ts = timeMs(r.time) || Date.now();
      insertDecision(st.decision, r, ts);
      add(traffic, Math.floor(ts / 60000), r, ts);
      add(client, r.client, r, ts);
      if (r.host === '-' || r.host === '') continue;
      const d = destKey(r);
      add(dest, d, r, ts);
      if (!REVIEWABLE_REASONS.has(r.reason)) continue;
      if (r.decision === 'deny') {
        add(review, d, r, ts);
        add(reviewClient, `${d}\u0000${r.client}`, r, ts);
      } else if (r.wouldDeny) add(observed, `${r.group}\u0000${d}`, r, ts);
    }
    for (const s of dest.values())
      st.dest.run(
        s.r.scheme,
        s.r.host,
        s.r.port,
        s.allowed,
        s.denied,
        s.wouldDeny,
        s.up,
        s.down,
        s.first,
        s.last,
      );
    for (const s of client.values())
      st.client.run(s.r.client, s.r.group, s.allowed, s.denied, s.wouldDeny, s.up, s.down, s.first, s.last);
    const all = { allowed: 0, denied: 0, wouldDeny: 0 };
    for (const [minute, s] of traffic) {
      st.traffic.run(minute, s.allowed, s.denied, s.wouldDeny);
      all.allowed += s.allowed;
      all.denied += s.denied;
      all.wouldDeny += s.wouldDeny;
    }
    st.counters.run(all.allowed, all.denied, all.wouldDeny);
    const reviewIds = new Map<string, number>();
    for (const [k, s] of review) {
      const row = st.review.get(s.r.scheme, s.r.host, s.r.port, s.r.reason, s.denied, s.first, s.last) as {
        id: number;
      };
      reviewIds.set(k, row.id);
    }
    for (const s of reviewClient.values()) {
      const id = reviewIds.get(destKey(s.r));
      if (id !== undefined) st.reviewClient.run(id, s.r.client, s.r.group, s.denied, s.last);
    }
    for (const s of observed.values())
      st.observed.run(s.r.group, s.r.scheme, s.r.host, s.r.port, s.wouldDeny, s.first, s.last);
  });
}

/**
 * Insert one decision. The values are passed as arguments, not as one array: better-sqlite3 then
 * reads each from the call itself instead of looking it up in an array (about 15 % of a row's cost).
 */
function insertDecision(st: Prepared, r: AccessRecord, ts: number): void {
  st.run(
    ts,
    r.id,
    r.client,
    r.method,
    r.scheme,
    r.host,
    r.port,
    r.path,
    r.decision,
    r.mode,
    r.wouldDeny ? 1 : 0,
    r.reason,
    r.rule,
    r.group,
    r.resolved,
    r.status,
    r.bytesUp,
    r.bytesDown,
    r.dnsMs,
    r.connectMs,
    r.durationMs,
    r.policyVersion,
  );
}
