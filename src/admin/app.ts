/**
 * @module admin/app
 * The admin listener's hono app: secure headers on every response, `/healthz` open, `/metrics`
 * open only when configured, everything else behind the token (bearer) or a login session, CSRF
 * checks on posts (origin check, plus the session's token for cookie-authenticated requests), the
 * JSON API, the live tail's event stream and the dashboard pages. Errors map in one place.
 */
import { Hono, type Context } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import { apiRoutes } from './api.js';
import { requireCsrf, type AdminEnv } from './auth.js';
import type { AdminContext } from './context.js';
import { ADMIN_ERRORS, toHttpFailure } from './errors.js';
import { liveEvents } from './events.js';
import { pageRoutes, renderError } from './pages/routes.js';
import { STATIC_ROUTES } from './pages/static.js';

/** Paths whose callers are programs: they get 401 JSON rather than a redirect to the login page. */
const isMachinePath = (path: string): boolean =>
  path.startsWith('/api/') || path === '/metrics' || path === '/events';

export interface AppLogger {
  error(obj: object, msg: string): void;
}

export function createAdminApp(ctx: AdminContext, log?: AppLogger): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      crossOriginEmbedderPolicy: false,
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(async (c, next) => {
    await next();
    if (!c.res.headers.has('cache-control')) c.header('Cache-Control', 'no-store');
  });
  app.use(csrf());

  app.get('/healthz', (c) =>
    c.json({ status: 'ok', policyVersion: ctx.gateway.current().runtime.policy.version }),
  );
  for (const [path, file] of Object.entries(STATIC_ROUTES)) {
    app.get(path, (c) => {
      c.header('Content-Type', file.type);
      c.header('Cache-Control', 'no-cache');
      return c.body(file.body);
    });
  }
  // Browsers ask for it on every site; an empty answer keeps their consoles clean.
  app.get('/favicon.ico', (c) => c.body(null, 204));
  app.route('/', pageRoutes(ctx, { public: true }));

  app.use(async (c, next) => {
    const metricsOpen =
      ctx.metricsPublic && c.req.path === '/metrics' && c.req.header('authorization') === undefined;
    if (metricsOpen) return next();
    const who = ctx.auth.identify(c);
    if (who !== null) {
      c.set('who', who);
      return next();
    }
    if (isMachinePath(c.req.path)) {
      c.header('WWW-Authenticate', 'Bearer realm="cordon-admin"');
      return c.json(
        { error: { code: ADMIN_ERRORS.unauthorized, message: 'send Authorization: Bearer <admin token>' } },
        401,
      );
    }
    const next_ = encodeURIComponent(c.req.path + (new URL(c.req.url).search ?? ''));
    return c.redirect(`/login?next=${next_}`, 303);
  });
  app.use(requireCsrf());

  app.get('/metrics', async (c) => {
    const { contentType, body } = await ctx.metrics.render();
    c.header('Content-Type', contentType);
    return c.body(body);
  });
  app.get('/events', (c) => liveEvents(c, ctx));
  app.route('/api/v1', apiRoutes(ctx));
  app.route('/', pageRoutes(ctx, { public: false }));

  app.notFound((c) =>
    isMachinePath(c.req.path)
      ? c.json(
          { error: { code: 'CORDON_ADMIN_NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } },
          404,
        )
      : c.html(renderError(c, 404, 'Not found', `There is no page at ${c.req.path}.`), 404),
  );
  app.onError((e, c) => onError(e, c, log));
  return app;
}

function onError(e: unknown, c: Context<AdminEnv>, log?: AppLogger): Response | Promise<Response> {
  if (e instanceof HTTPException) return e.getResponse();
  const f = toHttpFailure(e);
  if (f.status === 500)
    log?.error({ err: e instanceof Error ? e.stack : String(e), path: c.req.path }, 'admin request failed');
  if (isMachinePath(c.req.path) || (c.req.header('accept') ?? '').includes('application/json')) {
    return c.json({ error: { code: f.code, message: f.message } }, f.status);
  }
  return c.html(
    renderError(c, f.status, f.status === 409 ? 'Conflict' : 'Request refused', f.message),
    f.status,
  );
}
