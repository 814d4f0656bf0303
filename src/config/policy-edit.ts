/**
 * @module config/policy-edit
 * Edits the policy files on behalf of the admin API: adds or removes allowlist entries for a client
 * group and scheme, in the file the group reads them from (the first of `allowFiles`, line-appended;
 * else the inline `allow:` list of cordon.yaml, through policy-edit-yaml), and writes the results
 * atomically (temp file + fsync + rename) only if no file changed since it was read. Plans are pure
 * text transforms over what is on disk now, so a hand edit not yet reloaded is kept, never lost.
 * Knows nothing about HTTP, the audit store or the running gateway.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CordonError, errorCode, errorMessage } from '../errors.js';
import type { Scheme } from '../policy/types.js';
import { validateAllowEntry } from './allowlist.js';
import {
  addAllowEntry,
  groupIndex,
  removeAllowEntry,
  stringsAt,
  type YamlKeyPath,
} from './policy-edit-yaml.js';

export const POLICY_EDIT_ERRORS = {
  /** The gateway runs the built-in policy: there is no file to edit. */
  noFile: 'CORDON_CONFIG_EDIT_NO_FILE',
  /** The entry is not a valid allowlist entry (or covers a public suffix). */
  badEntry: 'CORDON_CONFIG_EDIT_BAD_ENTRY',
  /** No client group has that name. */
  unknownGroup: 'CORDON_CONFIG_EDIT_UNKNOWN_GROUP',
  /** A file changed between reading and writing it; nothing was written. */
  conflict: 'CORDON_CONFIG_EDIT_CONFLICT',
  /** A policy file could not be read, parsed or written. */
  io: 'CORDON_CONFIG_EDIT_IO',
} as const;

/** One allowlist change. `group` is a group name, or `default` for the top-level rules. */
export interface PolicyOp {
  readonly op: 'add' | 'remove';
  readonly group: string;
  readonly scheme: Scheme;
  readonly entry: string;
}

export interface FileChange {
  readonly path: string;
  readonly before: string;
  readonly after: string;
}

export interface EditPlan {
  /** Files whose text changes, with their text before and after. */
  readonly files: readonly FileChange[];
  /** The ops that change something (adding a present entry or removing an absent one does not). */
  readonly ops: readonly PolicyOp[];
}

/** The canonical form of an allowlist entry, or a `badEntry` error saying what to write instead. */
export function normaliseEntry(value: string): string {
  const checked = validateAllowEntry(value, 'admin');
  if (checked.ok) return checked.entry.value;
  throw new CordonError(
    POLICY_EDIT_ERRORS.badEntry,
    `${JSON.stringify(value)}: ${checked.message}; ${checked.fix}`,
  );
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e: unknown) {
    if (errorCode(e) === 'ENOENT') return '';
    throw new CordonError(POLICY_EDIT_ERRORS.io, `cannot read ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

/** A fingerprint of the policy files' current contents: what the API hands out and checks for 409s. */
export function policyHash(files: readonly string[]): string {
  const h = createHash('sha256');
  for (const f of [...files].sort()) h.update(`${f}\0${readText(f)}\0`);
  return h.digest('hex').slice(0, 32);
}

/** The entry a line of an allowlist file holds (canonical when valid), or null for blanks and comments. */
function lineEntry(line: string): string | null {
  const hash = line.indexOf('#');
  const value = (hash === -1 ? line : line.slice(0, hash)).trim();
  if (value === '') return null;
  const checked = validateAllowEntry(value, '');
  return checked.ok ? checked.entry.value : value;
}

function fileAppend(text: string, entry: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const sep = text === '' || text.endsWith('\n') ? '' : eol;
  return `${text}${sep}${entry}${eol}`;
}

function fileRemove(text: string, entry: string): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => lineEntry(line) !== entry)
    .join('');
}

const fileHas = (text: string, entry: string): boolean =>
  text.split(/\r?\n/).some((l) => lineEntry(l) === entry);

/** The YAML path of a group's scheme section: `['https']` or `['groups', 2, 'https']`. */
function sectionOf(configText: string, group: string, scheme: Scheme): YamlKeyPath {
  if (group === 'default') return [scheme];
  const i = groupIndex(configText, group);
  if (i === -1) {
    throw new CordonError(
      POLICY_EDIT_ERRORS.unknownGroup,
      `no client group named ${JSON.stringify(group)} in the policy`,
    );
  }
  return ['groups', i, scheme];
}

/** Work out the new file texts for `ops`, applied in order, from what is on disk now. */
export function planPolicyEdit(configPath: string | null, ops: readonly PolicyOp[]): EditPlan {
  if (configPath === null) {
    throw new CordonError(
      POLICY_EDIT_ERRORS.noFile,
      'the gateway runs the built-in default policy; start it with --config cordon.yaml to edit the policy',
    );
  }
  const original = new Map<string, string>();
  const work = new Map<string, string>();
  const get = (p: string): string => {
    if (!work.has(p)) {
      const t = readText(p);
      original.set(p, t);
      work.set(p, t);
    }
    return work.get(p) ?? '';
  };
  const effective: PolicyOp[] = [];
  for (const raw of ops) {
    const op = { ...raw, entry: normaliseEntry(raw.entry) };
    const config = get(configPath);
    const section = sectionOf(config, op.group, op.scheme);
    const files = stringsAt(config, [...section, 'allowFiles']).map((f) => resolve(dirname(configPath), f));
    const inline = stringsAt(config, [...section, 'allow']).map((v) => lineEntry(v));
    let changed = false;
    try {
      if (op.op === 'add') {
        if (inline.includes(op.entry) || files.some((f) => fileHas(get(f), op.entry))) continue;
        const first = files[0];
        if (first !== undefined) work.set(first, fileAppend(get(first), op.entry));
        else work.set(configPath, addAllowEntry(config, [...section, 'allow'], op.entry));
        changed = true;
      } else {
        const removed = removeAllowEntry(config, [...section, 'allow'], op.entry);
        if (removed !== null) {
          work.set(configPath, removed);
          changed = true;
        }
        for (const f of files) {
          const next = fileRemove(get(f), op.entry);
          if (next === get(f)) continue;
          work.set(f, next);
          changed = true;
        }
      }
    } catch (e: unknown) {
      if (e instanceof CordonError) throw e;
      throw new CordonError(POLICY_EDIT_ERRORS.io, `cannot edit the policy: ${errorMessage(e)}`, {
        cause: e,
      });
    }
    if (changed) effective.push(op);
  }
  const files = [...work]
    .filter(([p, t]) => original.get(p) !== t)
    .map(([path, after]) => ({ path, before: original.get(path) ?? '', after }));
  return { files, ops: effective };
}

/** Write `text` to `path` atomically: a temp file beside it, fsync, rename over it (mode kept). */
function writeAtomic(path: string, text: string): void {
  let target = path;
  try {
    target = realpathSync(path);
  } catch {
    // A new file: write it where it was named.
  }
  let mode = 0o644;
  try {
    mode = statSync(target).mode & 0o777;
  } catch {
    // Keep the default for a new file.
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e: unknown) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed or never created.
    }
    throw new CordonError(POLICY_EDIT_ERRORS.io, `cannot write ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

/**
 * Write every change, or none: each file must still hold its `before` text (else `conflict`, and
 * nothing is written). Files already written are put back if a later write fails.
 */
export function writePolicyFiles(changes: readonly FileChange[]): void {
  for (const c of changes) {
    if (readText(c.path) !== c.before) {
      throw new CordonError(
        POLICY_EDIT_ERRORS.conflict,
        `${c.path} changed since it was read; nothing was written. Reload and try again.`,
      );
    }
  }
  const done: FileChange[] = [];
  try {
    for (const c of changes) {
      writeAtomic(c.path, c.after);
      done.push(c);
    }
  } catch (e: unknown) {
    for (const c of done.reverse()) writeAtomic(c.path, c.before);
    throw e;
  }
}
