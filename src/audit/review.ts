/**
 * @module audit/review
 * The review queue: denied destinations (scheme, host, port) with counts, first and last seen and
 * which clients (and groups) asked, and their state — pending, approved (with the policy change
 * that allowed it) or rejected (seen and refused, so no longer new) — with who, when and why for
 * every decision. The rows are filled by the store's batch writer; this module reads and decides.
 */
import type { Database, SqlValue } from './sqlite.js';

export type ReviewStatus = 'pending' | 'approved' | 'rejected';

export interface ReviewRequester {
  client: string;
  group: string;
  count: number;
  lastSeen: string;
}

export interface ReviewItem {
  id: number;
  scheme: string;
  host: string;
  port: number;
  reason: string;
  count: number;
  firstSeen: string;
  lastSeen: string;
  status: ReviewStatus;
  /** Client addresses that asked, most frequent first (at most `MAX_REQUESTERS`). */
  clients: string[];
  /** How many clients asked in all. */
  clientCount: number;
  /** Their groups, by requests, most first: the default group to approve for. */
  groups: string[];
  requesters: ReviewRequester[];
  decidedAt: string | null;
  decidedBy: string | null;
  decidedReason: string | null;
  changeId: number | null;
}

export interface ReviewDecision {
  status: 'approved' | 'rejected';
  actor: string;
  reason: string;
  changeId: number | null;
  at?: number;
}

type Row = Record<string, SqlValue>;

const iso = (v: SqlValue | undefined): string => new Date(Number(v)).toISOString();
const isoOrNull = (v: SqlValue | undefined): string | null => (v === null || v === undefined ? null : iso(v));

/** Requesters listed per item (the most frequent); `clientCount` says how many there are. */
export const MAX_REQUESTERS = 20;

function withClients(db: Database, rows: Row[]): ReviewItem[] {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const marks = ids.map(() => '?').join(',');
  const reqs = db
    .prepare<Row>(
      `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY review_id ORDER BY count DESC, client) rn
       FROM review_clients WHERE review_id IN (${marks})) WHERE rn <= ${MAX_REQUESTERS}`,
    )
    .all(...ids);
  const groupRows = db
    .prepare<Row>(
      `SELECT review_id, grp, sum(count) n, count(*) clients FROM review_clients WHERE review_id IN (${marks})
       GROUP BY review_id, grp ORDER BY n DESC, grp`,
    )
    .all(...ids);
  const byItem = new Map<number, ReviewRequester[]>();
  for (const r of reqs) {
    const list = byItem.get(Number(r.review_id)) ?? [];
    list.push({
      client: String(r.client),
      group: String(r.grp),
      count: Number(r.count),
      lastSeen: iso(r.last_seen),
    });
    byItem.set(Number(r.review_id), list);
  }
  const groups = new Map<number, { names: string[]; clients: number }>();
  for (const g of groupRows) {
    const entry = groups.get(Number(g.review_id)) ?? { names: [], clients: 0 };
    entry.names.push(String(g.grp));
    entry.clients += Number(g.clients);
    groups.set(Number(g.review_id), entry);
  }
  return rows.map((r) => {
    const requesters = byItem.get(Number(r.id)) ?? [];
    const g = groups.get(Number(r.id));
    return {
      id: Number(r.id),
      scheme: String(r.scheme),
      host: String(r.host),
      port: Number(r.port),
      reason: String(r.reason),
      count: Number(r.count),
      firstSeen: iso(r.first_seen),
      lastSeen: iso(r.last_seen),
      status: String(r.status) as ReviewStatus,
      clients: requesters.map((q) => q.client),
      clientCount: g?.clients ?? 0,
      groups: g?.names ?? [],
      requesters,
      decidedAt: isoOrNull(r.decided_at),
      decidedBy: r.decided_by === null ? null : String(r.decided_by),
      decidedReason: r.decided_reason === null ? null : String(r.decided_reason),
      changeId: r.change_id === null ? null : Number(r.change_id),
    };
  });
}

/** Items with `status` (default pending; `all` for every one), most recently seen first. */
export function listReview(
  db: Database,
  opts: { status?: ReviewStatus | 'all'; limit?: number } = {},
): ReviewItem[] {
  const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
  const status = opts.status ?? 'pending';
  const rows =
    status === 'all'
      ? db.prepare<Row>('SELECT * FROM review ORDER BY last_seen DESC, id DESC LIMIT ?').all(limit)
      : db
          .prepare<Row>('SELECT * FROM review WHERE status = ? ORDER BY last_seen DESC, id DESC LIMIT ?')
          .all(status, limit);
  return withClients(db, rows);
}

export function getReviewItem(db: Database, id: number): ReviewItem | null {
  const row = db.prepare<Row>('SELECT * FROM review WHERE id = ?').get(id);
  return row === undefined ? null : (withClients(db, [row])[0] ?? null);
}

/** How many items are pending (for the navigation badge). */
export function pendingCount(db: Database): number {
  return Number(
    db.prepare<{ n: number }>("SELECT count(*) n FROM review WHERE status = 'pending'").get()?.n ?? 0,
  );
}

/** Approve or reject items, recording who, when and why on each, in one transaction. */
export function decideReview(db: Database, ids: readonly number[], d: ReviewDecision): void {
  const at = d.at ?? Date.now();
  const update = db.prepare(
    'UPDATE review SET status = ?, decided_at = ?, decided_by = ?, decided_reason = ?, change_id = ? WHERE id = ?',
  );
  const event = db.prepare(
    'INSERT INTO review_events (review_id, at, actor, action, reason, change_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const id of ids) {
      update.run(d.status, at, d.actor, d.reason, d.changeId, id);
      event.run(id, at, d.actor, d.status === 'approved' ? 'approve' : 'reject', d.reason, d.changeId);
    }
  })();
}

/** Pending items of `scheme` whose host `covers` matches (those a new entry also allows). */
export function pendingMatching(db: Database, scheme: string, covers: (host: string) => boolean): number[] {
  return db
    .prepare<{ id: number; host: string }>(
      "SELECT id, host FROM review WHERE status = 'pending' AND scheme = ?",
    )
    .all(scheme)
    .filter((r) => covers(r.host))
    .map((r) => r.id);
}
