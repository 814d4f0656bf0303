/**
 * @module admin/policy-service
 * Every change to the policy goes through here, whatever asked for it (review approvals, proposals,
 * reverts): check the caller's hash (409 when the files changed since it read them), plan the edit
 * on the files as they are now, write atomically, hot-reload through the gateway, roll back if the
 * gateway refuses the result, and record the change (who, when, why, diff) in the audit store. Hand
 * edits are recorded too: whenever the gateway reloads, files that differ from the last known text
 * become a change by actor `file`. Meets the proxy only through the gateway's public interface.
 */
import { relative } from 'node:path';
import { AUDIT_ERRORS } from '../audit/errors.js';
import {
  getChange,
  readSnapshots,
  recordChange,
  writeSnapshots,
  type ChangeFile,
  type PolicyChange,
} from '../audit/policy-log.js';
import type { Database } from '../audit/sqlite.js';
import type { LoadedConfig } from '../config/load.js';
import {
  planPolicyEdit,
  policyHash,
  readText,
  writePolicyFiles,
  type FileChange,
  type PolicyOp,
} from '../config/policy-edit.js';
import { CordonError, errorMessage } from '../errors.js';
import type { Gateway } from '../gateway/gateway.js';
import { ADMIN_ERRORS } from './errors.js';
import { policyView, type PolicyView } from './policy-view.js';

export type AdminGateway = Pick<
  Gateway,
  'current' | 'reload' | 'onReload' | 'onReloadFailed' | 'onRecord' | 'stats'
>;

export interface PolicyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface EditRequest {
  actor: string;
  reason: string;
  ops: readonly PolicyOp[];
  /** The hash the caller read; a mismatch is a 409 and nothing is written. */
  expectedHash?: string | undefined;
  revertOf?: number | null;
}

export interface PolicyService {
  view(): PolicyView;
  hash(): string;
  /** Apply allowlist ops as one audited change; null when they change nothing. */
  edit(req: EditRequest): PolicyChange | null;
  /** Undo a change: its ops inverted, or (for a hand edit) its files put back. */
  revert(
    changeId: number,
    req: { actor: string; reason: string; expectedHash?: string | undefined },
  ): PolicyChange;
  /** Record hand edits since the last known text of each file. Returns the change, if any. */
  syncFileChanges(): PolicyChange | null;
  close(): void;
}

export function createPolicyService(gateway: AdminGateway, db: Database, log?: PolicyLogger): PolicyService {
  let editing = false;
  const loaded = (): LoadedConfig => gateway.current().loaded;
  const name = (path: string): string => {
    const p = loaded().path;
    return p === null ? path : relative(`${p}/..`, path);
  };
  const hash = (): string => policyHash(loaded().files);

  const syncFileChanges = (): PolicyChange | null => {
    const snaps = readSnapshots(db);
    const paths = loaded().files;
    // A file the policy did not use before (a new allowFiles entry) is part of the edit, shown as
    // created; on first start (or with another config) every file is only the baseline.
    const known = paths.some((p) => snaps.has(p));
    const baseline: { path: string; text: string }[] = [];
    const files: ChangeFile[] = [];
    for (const path of paths) {
      const text = readText(path);
      const before = snaps.get(path) ?? (known ? '' : undefined);
      if (before === undefined) baseline.push({ path, text });
      else if (before !== text) files.push({ path, name: name(path), before, after: text });
    }
    writeSnapshots(db, baseline);
    if (files.length === 0) return null;
    const change = recordChange(db, {
      actor: 'file',
      reason: 'edited outside Cordon (seen at reload)',
      files,
      ops: [],
    });
    log?.info({ change: change.id, files: files.map((f) => f.name) }, 'policy file edit recorded');
    return change;
  };

  const guard = (expectedHash: string | undefined): void => {
    const l = loaded();
    if (l.path !== null && l.config.policy.source !== 'file:') {
      throw new CordonError(
        ADMIN_ERRORS.remotePolicy,
        `the policy comes from ${l.config.policy.source}; edit it there`,
      );
    }
    syncFileChanges();
    const now = hash();
    if (expectedHash !== undefined && expectedHash !== now) {
      throw new CordonError(
        ADMIN_ERRORS.conflict,
        `the policy files changed since you read them (hash ${expectedHash}, now ${now}); nothing was written. Reload and try again.`,
      );
    }
  };

  /** Write, reload, and put the files back if the gateway refuses the new policy. */
  const writeAndReload = (files: readonly FileChange[], trigger: string): void => {
    editing = true;
    try {
      writePolicyFiles(files);
      const result = gateway.reload(trigger);
      if (result.ok) return;
      writePolicyFiles(files.map((f) => ({ path: f.path, before: f.after, after: f.before })));
      gateway.reload(`${trigger} (rolled back)`);
      throw new CordonError(
        ADMIN_ERRORS.invalidPolicy,
        `the change would make the policy invalid, so it was not applied: ${result.error ?? 'unknown error'}`,
      );
    } finally {
      editing = false;
    }
  };

  const record = (req: EditRequest, files: readonly FileChange[], ops: readonly PolicyOp[]): PolicyChange => {
    const change = recordChange(db, {
      actor: req.actor,
      reason: req.reason,
      files: files.map((f) => ({ ...f, name: name(f.path) })),
      ops,
      revertOf: req.revertOf ?? null,
    });
    log?.info({ change: change.id, actor: req.actor, ops: ops.length }, 'policy changed');
    return change;
  };

  const edit = (req: EditRequest): PolicyChange | null => {
    guard(req.expectedHash);
    const plan = planPolicyEdit(loaded().path, req.ops);
    if (plan.files.length === 0) return null;
    writeAndReload(plan.files, `admin: ${req.reason}`);
    return record(req, plan.files, plan.ops);
  };

  const revert: PolicyService['revert'] = (changeId, req) => {
    const change = getChange(db, changeId);
    if (change === null) throw new CordonError(AUDIT_ERRORS.notFound, `no policy change ${changeId}`);
    if (change.revertedBy !== null) {
      throw new CordonError(
        AUDIT_ERRORS.revertConflict,
        `change ${changeId} was already reverted by change ${change.revertedBy}`,
      );
    }
    const reason = `revert #${changeId}: ${req.reason}`;
    if (change.ops.length > 0) {
      const ops = [...change.ops]
        .reverse()
        .map((o): PolicyOp => ({ ...o, op: o.op === 'add' ? 'remove' : 'add' }));
      const done = edit({ ...req, reason, ops, revertOf: changeId });
      if (done === null) {
        throw new CordonError(
          AUDIT_ERRORS.revertConflict,
          `nothing to revert: the policy no longer holds what change ${changeId} did`,
        );
      }
      return done;
    }
    guard(req.expectedHash);
    for (const f of change.files) {
      if (readText(f.path) !== f.after) {
        throw new CordonError(
          AUDIT_ERRORS.revertConflict,
          `${f.name} was edited after change ${changeId}, so it cannot be put back automatically; edit it by hand`,
        );
      }
    }
    const files = change.files.map((f) => ({ path: f.path, before: f.after, after: f.before }));
    writeAndReload(files, `admin: ${reason}`);
    return record({ ...req, reason, ops: [], revertOf: changeId }, files, []);
  };

  const off = gateway.onReload(() => {
    if (editing) return;
    try {
      syncFileChanges();
    } catch (e: unknown) {
      log?.warn({ err: errorMessage(e) }, 'could not record a policy file edit');
    }
  });

  return {
    view: () => {
      const { loaded: l, runtime } = gateway.current();
      return policyView(l, runtime.policy, hash());
    },
    hash,
    edit,
    revert,
    syncFileChanges,
    close: () => void off(),
  };
}
