/**
 * @module admin/review-service
 * Approve and reject review items. Approve turns each item into an allowlist entry (scope `host` or
 * the public-suffix-safe `domain`) for the chosen group (default: the group that asked most), applies
 * them all as one audited policy change, and marks the items approved with that change — along with
 * any other pending item the new entries now cover. Reject marks items seen and refused.
 */
import { AUDIT_ERRORS } from '../audit/errors.js';
import type { PolicyChange } from '../audit/policy-log.js';
import { decideReview, getReviewItem, pendingMatching, type ReviewItem } from '../audit/review.js';
import { entryFor, type Scope } from '../audit/review-scope.js';
import type { Database } from '../audit/sqlite.js';
import type { PolicyOp } from '../config/policy-edit.js';
import { normaliseEntry } from '../config/policy-edit.js';
import { CordonError } from '../errors.js';
import { createDomainSet } from '../policy/domain-set.js';
import type { Scheme } from '../policy/types.js';
import type { PolicyService } from './policy-service.js';

export interface ApproveRequest {
  scope: Scope;
  group?: string | undefined;
  reason: string;
  actor: string;
  expectedHash?: string | undefined;
}

export interface ApproveResult {
  change: PolicyChange | null;
  /** The entries added (or already present), per item. */
  entries: { id: number; group: string; scheme: string; entry: string }[];
  /** Every item marked approved, including pending ones the new entries also cover. */
  approved: number[];
}

export interface ReviewService {
  approve(ids: readonly number[], req: ApproveRequest): ApproveResult;
  reject(ids: readonly number[], req: { reason: string; actor: string }): number[];
}

function itemsOf(db: Database, ids: readonly number[]): ReviewItem[] {
  return ids.map((id) => {
    const item = getReviewItem(db, id);
    if (item === null) throw new CordonError(AUDIT_ERRORS.notFound, `no review item ${id}`);
    return item;
  });
}

export function createReviewService(db: Database, policy: PolicyService): ReviewService {
  return {
    approve(ids, req) {
      const items = itemsOf(db, ids);
      const entries = items.map((item) => ({
        id: item.id,
        group: req.group ?? item.groups[0] ?? 'default',
        scheme: item.scheme,
        entry: normaliseEntry(entryFor(item.host, req.scope)),
      }));
      const ops: PolicyOp[] = entries.map((e) => ({
        op: 'add',
        group: e.group,
        scheme: e.scheme as Scheme,
        entry: e.entry,
      }));
      const change = policy.edit({
        actor: req.actor,
        reason: req.reason,
        ops,
        expectedHash: req.expectedHash,
      });
      const approved = new Set(ids);
      for (const scheme of new Set(entries.map((e) => e.scheme))) {
        const set = createDomainSet(
          entries.filter((e) => e.scheme === scheme).map((e) => ({ value: e.entry, source: 'approval' })),
        );
        const ipLike = (h: string): boolean => /^[\d.]+$/.test(h) || h.includes(':');
        for (const id of pendingMatching(
          db,
          scheme,
          (h) => (ipLike(h) ? set.matchIp(h) : set.matchHost(h)) !== null,
        )) {
          approved.add(id);
        }
      }
      decideReview(db, [...approved], {
        status: 'approved',
        actor: req.actor,
        reason: req.reason,
        changeId: change?.id ?? null,
      });
      return { change, entries, approved: [...approved] };
    },
    reject(ids, req) {
      itemsOf(db, ids);
      decideReview(db, ids, { status: 'rejected', actor: req.actor, reason: req.reason, changeId: null });
      return [...ids];
    },
  };
}
