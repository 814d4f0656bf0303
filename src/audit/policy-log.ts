/**
 * @module audit/policy-log
 * The policy change log: every change to the policy files (from the UI, the API or a hand edit seen
 * at reload) with who, when, why, the files' text before and after, a unified diff, and the
 * structured allowlist ops when there are any (so a revert can undo exactly those). Also the last
 * known text of each policy file, against which hand edits are detected. Kept forever.
 */
import type { PolicyOp } from '../config/policy-edit.js';
import { unifiedDiff } from './diff.js';
import type { Database, SqlValue } from './sqlite.js';

export interface ChangeFile {
  /** Absolute path. */
  readonly path: string;
  /** Shown in diffs: relative to the config folder. */
  readonly name: string;
  readonly before: string;
  readonly after: string;
}

export interface PolicyChangeSummary {
  id: number;
  at: string;
  /** `admin` (the UI or API with the token), `file` (a hand edit seen at reload), or a name. */
  actor: string;
  reason: string;
  diff: string;
  ops: PolicyOp[];
  revertOf: number | null;
  revertedBy: number | null;
}

export interface PolicyChange extends PolicyChangeSummary {
  files: ChangeFile[];
}

export interface NewChange {
  actor: string;
  reason: string;
  files: readonly ChangeFile[];
  ops: readonly PolicyOp[];
  revertOf?: number | null;
  at?: number;
}

type Row = Record<string, SqlValue>;

const SELECT = `SELECT c.*, (SELECT max(r.id) FROM policy_changes r WHERE r.revert_of = c.id) reverted_by
  FROM policy_changes c`;

function toSummary(r: Row): PolicyChangeSummary {
  return {
    id: Number(r.id),
    at: new Date(Number(r.at)).toISOString(),
    actor: String(r.actor),
    reason: String(r.reason),
    diff: String(r.diff),
    ops: JSON.parse(String(r.ops)) as PolicyOp[],
    revertOf: r.revert_of === null ? null : Number(r.revert_of),
    revertedBy: r.reverted_by === null ? null : Number(r.reverted_by),
  };
}

/** Record a change and remember the files' new text; returns it with its id. */
export function recordChange(db: Database, c: NewChange): PolicyChange {
  const diff = c.files.map((f) => unifiedDiff(f.before, f.after, f.name)).join('');
  const at = c.at ?? Date.now();
  const save = db.transaction(() => {
    const { lastInsertRowid } = db
      .prepare(
        'INSERT INTO policy_changes (at, actor, reason, diff, files, ops, revert_of) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(at, c.actor, c.reason, diff, JSON.stringify(c.files), JSON.stringify(c.ops), c.revertOf ?? null);
    writeSnapshots(
      db,
      c.files.map((f) => ({ path: f.path, text: f.after })),
    );
    return Number(lastInsertRowid);
  });
  const id = save();
  return {
    id,
    at: new Date(at).toISOString(),
    actor: c.actor,
    reason: c.reason,
    diff,
    ops: [...c.ops],
    revertOf: c.revertOf ?? null,
    revertedBy: null,
    files: [...c.files],
  };
}

/** Changes newest first; `next` is the cursor (an id) for the following page. */
export function listChanges(
  db: Database,
  opts: { limit?: number; before?: number } = {},
): { items: PolicyChangeSummary[]; next: number | null } {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const rows = db
    .prepare<Row>(`${SELECT} WHERE c.id < ? ORDER BY c.id DESC LIMIT ?`)
    .all(opts.before ?? Number.MAX_SAFE_INTEGER, limit + 1);
  const items = rows.slice(0, limit).map(toSummary);
  return { items, next: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
}

export function getChange(db: Database, id: number): PolicyChange | null {
  const r = db.prepare<Row>(`${SELECT} WHERE c.id = ?`).get(id);
  if (r === undefined) return null;
  return { ...toSummary(r), files: JSON.parse(String(r.files)) as ChangeFile[] };
}

/** The last known text of each policy file. */
export function readSnapshots(db: Database): Map<string, string> {
  const rows = db.prepare<{ path: string; text: string }>('SELECT path, text FROM policy_files').all();
  return new Map(rows.map((r) => [r.path, r.text]));
}

export function writeSnapshots(db: Database, files: readonly { path: string; text: string }[]): void {
  const st = db.prepare(
    'INSERT INTO policy_files VALUES (?, ?) ON CONFLICT DO UPDATE SET text = excluded.text',
  );
  for (const f of files) st.run(f.path, f.text);
}
