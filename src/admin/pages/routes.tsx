/**
 * @module admin/pages/routes
 * The dashboard's routes: the login page (public), the five pages, and the form actions behind them
 * (approve, reject, bulk, revert, apply a proposal, sign out). Actions call the same services as the
 * API, then redirect back with a message (post/redirect/get), so reloading never re-submits.
 */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { listChanges } from '../../audit/policy-log.js';
import { proposeAllowlist } from '../../audit/propose.js';
import { listReview, pendingCount, type ReviewStatus } from '../../audit/review.js';
import { scopeSuggestions } from '../../audit/review-scope.js';
import * as q from '../../audit/store-queries.js';
import type { AdminEnv, Who } from '../auth.js';
import type { AdminContext } from '../context.js';
import { toHttpFailure } from '../errors.js';
import { applyBody, approveBody, bulkBody, parseWith, rejectBody, revertBody } from '../input.js';
import { ClientsPage } from './clients.js';
import { Layout, type Flash, type PageName } from './layout.js';
import { LivePage } from './live.js';
import { LoginPage } from './login.js';
import { OverviewPage } from './overview.js';
import { PolicyPage } from './policy.js';
import { ReviewPage } from './review.js';

type Form = Record<string, string | File | (string | File)[]>;

const str = (form: Form, key: string): string | undefined => {
  const v = form[key];
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'string' && first !== '' ? first : undefined;
};
const strs = (form: Form, key: string): string[] => {
  const v = form[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(
    (x): x is string => typeof x === 'string',
  );
};

/** Only local paths: never redirect to another site after login. */
const safeNext = (next: string | undefined): string =>
  next !== undefined && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : '/';

// Unset (undefined) on public routes and for errors raised before authentication.
const who = (c: Context<AdminEnv>): Who | undefined => c.var.who;

export function renderError(c: Context<AdminEnv>, status: number, title: string, message: string) {
  const w = who(c);
  return (
    <Layout title={title} active={null} actor={w?.actor ?? null} csrf={w?.session?.csrf ?? null} pending={0}>
      <h1>{title}</h1>
      <p class="card">
        {message} <span class="muted">(HTTP {status})</span>
      </p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </Layout>
  );
}

export function pageRoutes(ctx: AdminContext, opts: { public: boolean }): Hono<AdminEnv> {
  const r = new Hono<AdminEnv>();
  if (opts.public) {
    r.get('/login', (c) => c.html(<LoginPage next={safeNext(c.req.query('next'))} error={null} />));
    r.post('/login', async (c) => {
      const form = await c.req.parseBody();
      const next = safeNext(str(form, 'next'));
      const session = ctx.auth.login(str(form, 'token') ?? '', str(form, 'actor') ?? '');
      if (session === null) return c.html(<LoginPage next={next} error="That token is not right." />, 401);
      ctx.auth.setCookie(c, session);
      return c.redirect(next, 303);
    });
    return r;
  }
  return privatePages(ctx, r);
}

function privatePages(ctx: AdminContext, r: Hono<AdminEnv>): Hono<AdminEnv> {
  const db = ctx.store.db;
  const flashes = new Map<string, Flash>();
  const page = (c: Context<AdminEnv>, active: PageName, title: string, body: Child) => {
    const w = c.get('who');
    const sid = w.session?.id ?? '';
    const flash = flashes.get(sid) ?? null;
    flashes.delete(sid);
    return c.html(
      <Layout
        title={title}
        active={active}
        actor={w.actor}
        csrf={w.session?.csrf ?? ''}
        pending={pendingCount(db)}
        flash={flash}
      >
        {body}
      </Layout>,
    );
  };
  /** Run a form action; a refusal (4xx) becomes a message on the page it came from. */
  const act = async (c: Context<AdminEnv>, back: string, fn: (form: Form, actor: string) => string) => {
    const form = await c.req.parseBody({ all: true });
    const w = c.get('who');
    let flash: Flash;
    try {
      flash = { kind: 'ok', text: fn(form, w.actor) };
    } catch (e: unknown) {
      const f = toHttpFailure(e);
      if (f.status === 500) throw e;
      flash = { kind: 'error', text: f.message };
    }
    if (w.session) flashes.set(w.session.id, flash);
    return c.redirect(back, 303);
  };
  const csrf = (c: Context<AdminEnv>): string => c.get('who').session?.csrf ?? '';
  const groups = (): string[] => ctx.gateway.current().loaded.policySpec.groups.map((g) => g.name);

  r.get('/', (c) => {
    const data = {
      totals: q.totals(db),
      pending: pendingCount(db),
      traffic: q.trafficSeries(db, ctx.now(), 60),
      top: q.topDestinations(db, 'total'),
      denials: q.topDestinations(db, 'denied'),
      connections: ctx.gateway.stats(),
      audit: ctx.store.stats(),
    };
    return page(c, 'overview', 'Overview', <OverviewPage data={data} />);
  });
  r.get('/live', (c) => {
    const filter = {
      client: c.req.query('client') ?? '',
      host: c.req.query('host') ?? '',
      decision: c.req.query('decision') ?? '',
    };
    const recent = q.queryDecisions(db, {
      client: filter.client || undefined,
      host: filter.host || undefined,
      decision: filter.decision === 'allow' || filter.decision === 'deny' ? filter.decision : undefined,
      limit: 50,
    }).items;
    return page(c, 'live', 'Live tail', <LivePage filter={filter} recent={recent} />);
  });
  r.get('/review', (c) => {
    const s = c.req.query('status');
    const status: ReviewStatus = s === 'approved' || s === 'rejected' ? s : 'pending';
    const config = ctx.gateway.current().loaded.config;
    const items = listReview(db, { status }).map((i) => ({
      ...i,
      suggestions: scopeSuggestions(i.host, config),
    }));
    const body = (
      <ReviewPage status={status} items={items} groups={groups()} csrf={csrf(c)} hash={ctx.policy.hash()} />
    );
    return page(c, 'review', 'Review queue', body);
  });
  r.get('/policy', (c) => {
    const view = ctx.policy.view();
    const want = c.req.query('propose');
    const group = want !== undefined && groups().includes(want) ? want : null;
    const proposal =
      group === null
        ? null
        : { group, items: proposeAllowlist(db, group, ctx.gateway.current().loaded.config) };
    const history = listChanges(db, { limit: 50 }).items;
    return page(
      c,
      'policy',
      'Policy',
      <PolicyPage view={view} history={history} proposal={proposal} csrf={csrf(c)} />,
    );
  });
  r.get('/clients', (c) => {
    const selected = c.req.query('client') ?? null;
    const destinations = selected === null ? [] : q.clientDestinations(db, selected);
    return page(
      c,
      'clients',
      'Clients',
      <ClientsPage clients={q.listClients(db)} selected={selected} destinations={destinations} />,
    );
  });

  r.post('/logout', (c) => {
    const s = c.get('who').session;
    if (s) ctx.auth.logout(s.id);
    ctx.auth.clearCookie(c);
    return c.redirect('/login', 303);
  });
  r.post('/review/bulk', (c) =>
    act(c, '/review', (form, actor) => {
      const ids = strs(form, 'ids').map(Number);
      const b = parseWith(bulkBody, {
        action: str(form, 'action'),
        ids,
        scope: str(form, 'scope'),
        group: str(form, 'group'),
        reason: str(form, 'reason'),
        policyHash: str(form, 'policyHash'),
      });
      if (b.action === 'reject')
        return `Rejected ${ctx.review.reject(b.ids, { reason: b.reason, actor }).length} items.`;
      const res = ctx.review.approve(b.ids, {
        scope: b.scope ?? 'host',
        group: b.group,
        reason: b.reason,
        actor,
        expectedHash: b.policyHash,
      });
      return `Approved ${res.approved.length} items${res.change ? ` (change #${res.change.id})` : ''}.`;
    }),
  );
  r.post('/review/:id/approve', (c) =>
    act(c, '/review', (form, actor) => {
      const b = parseWith(approveBody, {
        scope: str(form, 'scope'),
        group: str(form, 'group'),
        reason: str(form, 'reason'),
        policyHash: str(form, 'policyHash'),
      });
      const res = ctx.review.approve([Number(c.req.param('id'))], {
        ...b,
        actor,
        expectedHash: b.policyHash,
      });
      const added = res.entries.map((e) => `${e.scheme} ${e.entry} for group ${e.group}`).join(', ');
      return res.change
        ? `Allowed ${added} (change #${res.change.id}); the policy was reloaded.`
        : `Already allowed: ${added}.`;
    }),
  );
  r.post('/review/:id/reject', (c) =>
    act(c, '/review', (form, actor) => {
      const b = parseWith(rejectBody, { reason: str(form, 'reason') });
      ctx.review.reject([Number(c.req.param('id'))], { reason: b.reason, actor });
      return 'Rejected: it will no longer show as new.';
    }),
  );
  r.post('/policy/revert/:id', (c) =>
    act(c, '/policy', (form, actor) => {
      const b = parseWith(revertBody, { reason: str(form, 'reason'), policyHash: str(form, 'policyHash') });
      const change = ctx.policy.revert(Number(c.req.param('id')), {
        actor,
        reason: b.reason ?? 'reverted',
        expectedHash: b.policyHash,
      });
      return `Reverted #${c.req.param('id')} (change #${change.id}); the policy was reloaded.`;
    }),
  );
  r.post('/policy/apply', (c) =>
    act(c, '/policy', (form, actor) => {
      const entries = strs(form, 'entry').map((v) => {
        const [scheme, entry] = v.split(' ');
        return { scheme, entry };
      });
      const b = parseWith(applyBody, {
        group: str(form, 'group'),
        entries,
        reason: str(form, 'reason'),
        policyHash: str(form, 'policyHash'),
      });
      const ops = b.entries.map((e) => ({
        op: 'add' as const,
        group: b.group,
        scheme: e.scheme,
        entry: e.entry,
      }));
      const change = ctx.policy.edit({ actor, reason: b.reason, ops, expectedHash: b.policyHash });
      return change
        ? `Applied ${change.ops.length} entries (change #${change.id}).`
        : 'Nothing to apply: all already allowed.';
    }),
  );
  return r;
}
