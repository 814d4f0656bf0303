/**
 * @module audit/store-queries
 * Read queries the admin API and dashboard need: decisions filtered and paginated (keyset on the
 * insertion sequence, so page N costs the same as page 1), traffic over time, top destinations and
 * denials, and clients. All served by indexes or the small aggregate tables, so they stay fast at
 * millions of stored decisions. Read-only.
 */
import type { Database, SqlValue } from './sqlite.js';

export interface DecisionFilter {
  client?: string | undefined;
  host?: string | undefined;
  decision?: 'allow' | 'deny' | undefined;
  group?: string | undefined;
  reason?: string | undefined;
  /** Epoch ms, inclusive. */
  since?: number | undefined;
  /** Epoch ms, exclusive. */
  until?: number | undefined;
  /** Keyset cursor: only decisions stored before this sequence number. */
  before?: number | undefined;
  limit?: number | undefined;
}

/** One stored decision: the access record's fields plus its sequence number. */
export interface StoredDecision {
  seq: number;
  time: string;
  id: string;
  client: string;
  method: string;
  scheme: string;
  host: string;
  port: number;
  path: string | null;
  decision: 'allow' | 'deny';
  mode: string;
  wouldDeny: boolean;
  reason: string;
  rule: string | null;
  group: string;
  resolved: string | null;
  status: number;
  bytesUp: number;
  bytesDown: number;
  dnsMs: number | null;
  connectMs: number | null;
  durationMs: number;
  policyVersion: number;
}

export interface DestinationStats {
  scheme: string;
  host: string;
  port: number;
  allowed: number;
  denied: number;
  wouldDeny: number;
  bytesUp: number;
  bytesDown: number;
  firstSeen: string;
  lastSeen: string;
}

export interface ClientStats {
  client: string;
  group: string;
  allowed: number;
  denied: number;
  wouldDeny: number;
  bytesUp: number;
  bytesDown: number;
  firstSeen: string;
  lastSeen: string;
}

export interface TrafficPoint {
  /** Start of the bucket, ISO-8601. */
  at: string;
  allowed: number;
  denied: number;
  wouldDeny: number;
}

export const MAX_PAGE = 500;

const iso = (ms: number): string => new Date(ms).toISOString();

type Row = Record<string, SqlValue>;

function toDecision(r: Row): StoredDecision {
  return {
    seq: Number(r.seq),
    time: iso(Number(r.ts)),
    id: String(r.id),
    client: String(r.client),
    method: String(r.method),
    scheme: String(r.scheme),
    host: String(r.host),
    port: Number(r.port),
    path: r.path === null ? null : String(r.path),
    decision: r.decision === 'allow' ? 'allow' : 'deny',
    mode: String(r.mode),
    wouldDeny: r.would_deny === 1,
    reason: String(r.reason),
    rule: r.rule === null ? null : String(r.rule),
    group: String(r.grp),
    resolved: r.resolved === null ? null : String(r.resolved),
    status: Number(r.status),
    bytesUp: Number(r.bytes_up),
    bytesDown: Number(r.bytes_down),
    dnsMs: r.dns_ms === null ? null : Number(r.dns_ms),
    connectMs: r.connect_ms === null ? null : Number(r.connect_ms),
    durationMs: Number(r.duration_ms),
    policyVersion: Number(r.policy_version),
  };
}

/** The SQL for a decision query: exported so tests can check its plan stays on an index. */
export function decisionsSql(
  f: DecisionFilter,
  untilSeq?: number,
): { sql: string; params: SqlValue[]; limit: number } {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, v: SqlValue | undefined): void => {
    if (v === undefined) return;
    where.push(clause);
    params.push(v);
  };
  add('client = ?', f.client);
  add('host = ?', f.host);
  // A literal, not a parameter: only then can SQLite use the partial index of denials.
  if (f.decision !== undefined)
    where.push(f.decision === 'deny' ? "decision = 'deny'" : "decision = 'allow'");
  add('grp = ?', f.group);
  add('reason = ?', f.reason);
  add('ts >= ?', f.since);
  add('ts < ?', f.until);
  add('seq < ?', f.before);
  add('seq <= ?', untilSeq);
  const limit = Math.min(Math.max(f.limit ?? 100, 1), MAX_PAGE);
  // SQLite's planner, without statistics, may walk the time index for a selective client or host
  // filter; name the index that narrows most. Each keeps `seq` order, so the LIMIT stops early.
  const index =
    f.host !== undefined
      ? 'INDEXED BY decisions_host'
      : f.client !== undefined
        ? 'INDEXED BY decisions_client'
        : f.decision === 'deny'
          ? 'INDEXED BY decisions_denied'
          : '';
  const sql = `SELECT * FROM decisions ${index} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY seq DESC LIMIT ${limit + 1}`;
  return { sql, params, limit };
}

/** Decisions newest first, filtered; `next` is the cursor for the following page, if any. */
export function queryDecisions(
  db: Database,
  f: DecisionFilter,
): { items: StoredDecision[]; next: number | null } {
  const { sql, params, limit } = decisionsSql(f);
  const rows = db.prepare<Row>(sql).all(...params);
  const items = rows.slice(0, limit).map(toDecision);
  return { items, next: rows.length > limit ? (items[items.length - 1]?.seq ?? null) : null };
}

function toDest(r: Row): DestinationStats {
  return {
    scheme: String(r.scheme),
    host: String(r.host),
    port: Number(r.port),
    allowed: Number(r.allowed),
    denied: Number(r.denied),
    wouldDeny: Number(r.would_deny),
    bytesUp: Number(r.bytes_up),
    bytesDown: Number(r.bytes_down),
    firstSeen: iso(Number(r.first_seen)),
    lastSeen: iso(Number(r.last_seen)),
  };
}

/**
 * Destinations by total requests (`by: 'total'`) or by denials (`by: 'denied'`). A scan of the
 * per-destination table (one row per scheme, host and port: thousands, not millions); an index on
 * the counts would cost every write more than this read saves.
 */
export function topDestinations(db: Database, by: 'total' | 'denied', limit = 10): DestinationStats[] {
  const sql =
    by === 'total'
      ? 'SELECT * FROM dest_stats ORDER BY allowed + denied DESC, host, scheme, port LIMIT ?'
      : 'SELECT * FROM dest_stats WHERE denied > 0 ORDER BY denied DESC, host, scheme, port LIMIT ?';
  return db.prepare<Row>(sql).all(limit).map(toDest);
}

/** Requests per bucket over the last `minutes`, allowed against denied. Empty buckets are zeros. */
export function trafficSeries(db: Database, nowMs: number, minutes = 60, bucketMinutes = 1): TrafficPoint[] {
  const end = Math.floor(nowMs / 60000);
  const start = end - minutes + 1;
  const rows = db
    .prepare<Row>('SELECT * FROM traffic WHERE minute >= ? AND minute <= ? ORDER BY minute')
    .all(start, end);
  const points: TrafficPoint[] = [];
  for (let m = start; m <= end; m += bucketMinutes) {
    points.push({ at: iso(m * 60000), allowed: 0, denied: 0, wouldDeny: 0 });
  }
  for (const r of rows) {
    const p = points[Math.floor((Number(r.minute) - start) / bucketMinutes)];
    if (p === undefined) continue;
    p.allowed += Number(r.allowed);
    p.denied += Number(r.denied);
    p.wouldDeny += Number(r.would_deny);
  }
  return points;
}

function toClient(r: Row): ClientStats {
  return {
    client: String(r.client),
    group: String(r.grp),
    allowed: Number(r.allowed),
    denied: Number(r.denied),
    wouldDeny: Number(r.would_deny),
    bytesUp: Number(r.bytes_up),
    bytesDown: Number(r.bytes_down),
    firstSeen: iso(Number(r.first_seen)),
    lastSeen: iso(Number(r.last_seen)),
  };
}

/** Clients, most recently seen first. */
export function listClients(db: Database, limit = 200): ClientStats[] {
  return db
    .prepare<Row>('SELECT * FROM client_stats ORDER BY last_seen DESC LIMIT ?')
    .all(limit)
    .map(toClient);
}

/** How many of a client's latest decisions "what it sends where" looks at. */
export const CLIENT_WINDOW = 20_000;

/**
 * What one client sends where: its destinations by request count, over its latest
 * `CLIENT_WINDOW` decisions (read through the client index, so the cost is bounded).
 */
export function clientDestinations(
  db: Database,
  client: string,
  limit = 50,
): { scheme: string; host: string; port: number; count: number; denied: number; lastSeen: string }[] {
  return db
    .prepare<Row>(
      `SELECT scheme, host, port, count(*) count, sum(decision = 'deny') denied, max(ts) last_seen
       FROM (SELECT scheme, host, port, decision, ts FROM decisions INDEXED BY decisions_client
             WHERE client = ? ORDER BY seq DESC LIMIT ${CLIENT_WINDOW})
       GROUP BY scheme, host, port ORDER BY count DESC, host LIMIT ?`,
    )
    .all(client, limit)
    .map((r) => ({
      scheme: String(r.scheme),
      host: String(r.host),
      port: Number(r.port),
      count: Number(r.count),
      denied: Number(r.denied),
      lastSeen: iso(Number(r.last_seen)),
    }));
}

/** Totals since the store began. */
export function totals(db: Database): { allowed: number; denied: number; wouldDeny: number } {
  const r = db.prepare<Row>('SELECT allowed, denied, would_deny FROM counters WHERE id = 1').get();
  return {
    allowed: Number(r?.allowed ?? 0),
    denied: Number(r?.denied ?? 0),
    wouldDeny: Number(r?.would_deny ?? 0),
  };
}
