/**
 * @module audit/store-schema
 * The audit database's tables and indexes, created (or migrated) on open via `user_version`.
 * Raw decisions are pruned by retention; the aggregates (per destination, per client, per minute,
 * the review queue, what report/learn mode observed) are small and kept; the policy change log is kept forever.
 */
import { CordonError } from '../errors.js';
import { AUDIT_ERRORS } from './errors.js';
import type { Database } from './sqlite.js';

const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS decisions (
  seq INTEGER PRIMARY KEY,
  ts INTEGER NOT NULL,
  id TEXT NOT NULL, client TEXT NOT NULL, method TEXT NOT NULL, scheme TEXT NOT NULL,
  host TEXT NOT NULL, port INTEGER NOT NULL, path TEXT,
  decision TEXT NOT NULL, mode TEXT NOT NULL, would_deny INTEGER NOT NULL, reason TEXT NOT NULL,
  rule TEXT, grp TEXT NOT NULL, resolved TEXT, status INTEGER NOT NULL,
  bytes_up INTEGER NOT NULL, bytes_down INTEGER NOT NULL,
  dns_ms REAL, connect_ms REAL, duration_ms REAL NOT NULL, policy_version INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_ts ON decisions (ts);
CREATE INDEX IF NOT EXISTS decisions_host ON decisions (host, seq);
CREATE INDEX IF NOT EXISTS decisions_client ON decisions (client, seq);
-- Denials are the rows people look for; a partial index costs nothing for allowed traffic.
CREATE INDEX IF NOT EXISTS decisions_denied ON decisions (seq) WHERE decision = 'deny';

CREATE TABLE IF NOT EXISTS dest_stats (
  scheme TEXT NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL,
  allowed INTEGER NOT NULL DEFAULT 0, denied INTEGER NOT NULL DEFAULT 0, would_deny INTEGER NOT NULL DEFAULT 0,
  bytes_up INTEGER NOT NULL DEFAULT 0, bytes_down INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  PRIMARY KEY (scheme, host, port)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS client_stats (
  client TEXT PRIMARY KEY, grp TEXT NOT NULL,
  allowed INTEGER NOT NULL DEFAULT 0, denied INTEGER NOT NULL DEFAULT 0, would_deny INTEGER NOT NULL DEFAULT 0,
  bytes_up INTEGER NOT NULL DEFAULT 0, bytes_down INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS client_stats_seen ON client_stats (last_seen);

CREATE TABLE IF NOT EXISTS counters (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  allowed INTEGER NOT NULL DEFAULT 0, denied INTEGER NOT NULL DEFAULT 0, would_deny INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO counters (id) VALUES (1);

CREATE TABLE IF NOT EXISTS traffic (
  minute INTEGER PRIMARY KEY,
  allowed INTEGER NOT NULL DEFAULT 0, denied INTEGER NOT NULL DEFAULT 0, would_deny INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS review (
  id INTEGER PRIMARY KEY,
  scheme TEXT NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL, reason TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  decided_at INTEGER, decided_by TEXT, decided_reason TEXT, change_id INTEGER,
  UNIQUE (scheme, host, port)
);
CREATE INDEX IF NOT EXISTS review_status ON review (status, last_seen);

CREATE TABLE IF NOT EXISTS review_clients (
  review_id INTEGER NOT NULL REFERENCES review (id), client TEXT NOT NULL, grp TEXT NOT NULL,
  count INTEGER NOT NULL DEFAULT 0, last_seen INTEGER NOT NULL,
  PRIMARY KEY (review_id, client)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS review_events (
  id INTEGER PRIMARY KEY, review_id INTEGER NOT NULL REFERENCES review (id),
  at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, change_id INTEGER
);
CREATE INDEX IF NOT EXISTS review_events_item ON review_events (review_id, id);

CREATE TABLE IF NOT EXISTS observed (
  grp TEXT NOT NULL, scheme TEXT NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
  PRIMARY KEY (grp, scheme, host, port)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS policy_changes (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL,
  diff TEXT NOT NULL, files TEXT NOT NULL, ops TEXT NOT NULL, revert_of INTEGER
);

CREATE TABLE IF NOT EXISTS policy_files (
  path TEXT PRIMARY KEY, text TEXT NOT NULL
) WITHOUT ROWID;
`;

/** Create the tables on a new database; refuse one written by a newer Cordon. */
export function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new CordonError(
      AUDIT_ERRORS.schemaNewer,
      `audit database schema ${version} is newer than this Cordon (${SCHEMA_VERSION}); upgrade Cordon or use another storage.dir`,
    );
  }
  db.exec(DDL);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
