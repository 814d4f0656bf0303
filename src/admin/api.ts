/**
 * @module admin/api
 * The JSON API under `/api/v1` (documented in docs/admin.md). Lists answer `{ items: [...] }`, with
 * `next` (a cursor) where they paginate. Inputs are validated in admin/input; every error goes
 * through admin/errors' mapping. Authentication and CSRF are applied by the app before these routes.
 */
import { Hono, type Context } from 'hono';
import { getChange, listChanges } from '../audit/policy-log.js';
import { proposeAllowlist } from '../audit/propose.js';
import { getReviewItem, listReview, pendingCount, type ReviewItem } from '../audit/review.js';
import { scopeSuggestions } from '../audit/review-scope.js';
import {
  clientDestinations,
  listClients,
  queryDecisions,
  topDestinations,
  totals,
  trafficSeries,
} from '../audit/store-queries.js';
import { AUDIT_ERRORS } from '../audit/errors.js';
import { CordonError } from '../errors.js';
import type { AdminEnv } from './auth.js';
import type { AdminContext } from './context.js';
import {
  applyBody,
  approveBody,
  bulkBody,
  decisionsQuery,
  expectedHash,
  idParam,
  jsonBody,
  pageQuery,
  parseWith,
  rejectBody,
  reviewQuery,
  revertBody,
} from './input.js';

const query = (c: Context): Record<string, string> => c.req.query();

export function apiRoutes(ctx: AdminContext): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>();
  const db = ctx.store.db;
  const withSuggestions = (item: ReviewItem) => ({
    ...item,
    suggestions: scopeSuggestions(item.host, ctx.gateway.current().loaded.config),
  });

  api.get('/decisions', (c) => {
    const q = parseWith(decisionsQuery, query(c));
    const page = queryDecisions(db, { ...q, before: q.cursor });
    return c.json({ items: page.items, next: page.next === null ? null : String(page.next) });
  });

  api.get('/review', (c) => {
    const q = parseWith(reviewQuery, query(c));
    return c.json({ items: listReview(db, q).map(withSuggestions) });
  });
  api.get('/review/:id', (c) => {
    const item = getReviewItem(db, idParam(c, 'id'));
    if (item === null) throw new CordonError(AUDIT_ERRORS.notFound, `no review item ${c.req.param('id')}`);
    return c.json(withSuggestions(item));
  });
  api.post('/review/bulk', async (c) => {
    const b = parseWith(bulkBody, await jsonBody(c));
    const actor = c.get('who').actor;
    if (b.action === 'reject')
      return c.json({ rejected: ctx.review.reject(b.ids, { reason: b.reason, actor }) });
    const hash = expectedHash(c, b.policyHash);
    return c.json(
      ctx.review.approve(b.ids, {
        scope: b.scope ?? 'host',
        group: b.group,
        reason: b.reason,
        actor,
        expectedHash: hash,
      }),
    );
  });
  api.post('/review/:id/approve', async (c) => {
    const id = idParam(c, 'id');
    const b = parseWith(approveBody, await jsonBody(c));
    const result = ctx.review.approve([id], {
      scope: b.scope,
      group: b.group,
      reason: b.reason,
      actor: c.get('who').actor,
      expectedHash: expectedHash(c, b.policyHash),
    });
    return c.json({ ...result, item: getReviewItem(db, id) });
  });
  api.post('/review/:id/reject', async (c) => {
    const id = idParam(c, 'id');
    const b = parseWith(rejectBody, await jsonBody(c));
    ctx.review.reject([id], { reason: b.reason, actor: c.get('who').actor });
    return c.json({ item: getReviewItem(db, id) });
  });

  api.get('/policy', (c) => {
    const view = ctx.policy.view();
    c.header('ETag', `"${view.hash}"`);
    return c.json(view);
  });
  api.get('/policy/history', (c) => {
    const q = parseWith(pageQuery, query(c));
    const page = listChanges(db, { limit: q.limit, before: q.cursor });
    return c.json({ items: page.items, next: page.next === null ? null : String(page.next) });
  });
  api.get('/policy/history/:id', (c) => {
    const change = getChange(db, idParam(c, 'id'));
    if (change === null)
      throw new CordonError(AUDIT_ERRORS.notFound, `no policy change ${c.req.param('id')}`);
    return c.json(change);
  });
  api.post('/policy/revert/:changeId', async (c) => {
    const id = idParam(c, 'changeId');
    const b = parseWith(revertBody, await jsonBody(c));
    const change = ctx.policy.revert(id, {
      actor: c.get('who').actor,
      reason: b.reason ?? 'reverted',
      expectedHash: expectedHash(c, b.policyHash),
    });
    return c.json({ change });
  });
  api.get('/policy/propose', (c) => {
    const group = c.req.query('group') ?? 'default';
    if (!ctx.gateway.current().loaded.policySpec.groups.some((g) => g.name === group)) {
      throw new CordonError(
        'CORDON_ADMIN_BAD_INPUT',
        `group: no client group named ${JSON.stringify(group)}`,
      );
    }
    return c.json({ group, items: proposeAllowlist(db, group, ctx.gateway.current().loaded.config) });
  });
  api.post('/policy/apply', async (c) => {
    const b = parseWith(applyBody, await jsonBody(c));
    const change = ctx.policy.edit({
      actor: c.get('who').actor,
      reason: b.reason,
      ops: b.entries.map((e) => ({ op: 'add', group: b.group, scheme: e.scheme, entry: e.entry })),
      expectedHash: expectedHash(c, b.policyHash),
    });
    return c.json({ change });
  });

  api.get('/clients', (c) => c.json({ items: listClients(db) }));
  api.get('/clients/:client', (c) => c.json({ items: clientDestinations(db, c.req.param('client')) }));
  api.get('/overview', (c) => {
    const now = ctx.now();
    return c.json({
      totals: totals(db),
      pending: pendingCount(db),
      traffic: trafficSeries(db, now, 60),
      topDestinations: topDestinations(db, 'total'),
      topDenials: topDestinations(db, 'denied'),
      connections: ctx.gateway.stats(),
      audit: ctx.store.stats(),
    });
  });
  return api;
}
