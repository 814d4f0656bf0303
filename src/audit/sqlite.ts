/**
 * @module audit/sqlite
 * Opens the embedded SQLite database (better-sqlite3, WAL) with the few typed methods the audit store
 * uses. better-sqlite3 ships no types of its own, so the surface used here is declared here; nothing
 * else in Cordon imports better-sqlite3. Must not hold any query logic.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

/** A parameter value SQLite accepts. */
export type SqlValue = string | number | bigint | null | Buffer;
export type SqlParams = readonly SqlValue[] | Readonly<Record<string, SqlValue>>;

export interface Statement<Row = Record<string, unknown>> {
  /** Parameters one by one, as one array (bound as they are, without spreading), or named. */
  run(...params: SqlValue[] | [readonly SqlValue[]] | [Readonly<Record<string, SqlValue>>]): {
    changes: number;
    lastInsertRowid: number | bigint;
  };
  get(...params: SqlValue[] | [Readonly<Record<string, SqlValue>>]): Row | undefined;
  all(...params: SqlValue[] | [Readonly<Record<string, SqlValue>>]): Row[];
}

export interface Database {
  prepare<Row = Record<string, unknown>>(sql: string): Statement<Row>;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
  readonly open: boolean;
}

type DatabaseConstructor = new (path: string, options?: { timeout?: number }) => Database;

const require = createRequire(import.meta.url);

/**
 * Open (or create) the database at `path` in WAL mode. `synchronous = NORMAL` in WAL mode means a
 * commit is durable against a crash of the process (kill -9); only an OS crash or power loss can
 * lose the last commits. That is the trade the audit store wants: no fsync per batch.
 */
export function openDatabase(path: string): Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    // Client addresses and destinations are nobody else's business: create the file 0600 (SQLite
    // gives its -wal and -shm files the database file's mode).
    closeSync(openSync(path, 'a', 0o600));
  }
  const Ctor = require('better-sqlite3') as DatabaseConstructor;
  const db = new Ctor(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // 32 MiB of page cache (the default is 2 MiB): the decision indexes' hot pages stay in memory.
  db.pragma('cache_size = -32768');
  // Let SQLite checkpoint the WAL on its own; bounded so it cannot grow without limit.
  db.pragma('journal_size_limit = 67108864');
  return db;
}
