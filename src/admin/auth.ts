/**
 * @module admin/auth
 * Authentication for the admin listener: `Authorization: Bearer <token>` (compared in constant time)
 * or a session cookie set by the login page; CSRF tokens for cookie-authenticated posts (a bearer
 * token is not an ambient credential, so it needs none); a small brake on failed logins. Sessions
 * live in memory: a restart logs everyone out, which is fine for one admin listener.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { CordonError } from '../errors.js';
import { ADMIN_ERRORS } from './errors.js';

export const SESSION_COOKIE = 'cordon_session';
const SESSION_TTL_MS = 12 * 3600_000;
const LOGIN_WINDOW_MS = 60_000;
const MAX_FAILED_LOGINS = 10;
const ACTOR = /^[\w .@+-]{1,64}$/;

export interface Session {
  readonly id: string;
  readonly csrf: string;
  readonly actor: string;
  readonly expires: number;
}

/** Who is calling: set on every authenticated request as `c.get('who')`. */
export interface Who {
  readonly via: 'bearer' | 'session';
  readonly actor: string;
  readonly session: Session | null;
}

export type AdminEnv = { Variables: { who: Who } };

export interface Auth {
  checkToken(candidate: string): boolean;
  /** A new session for the right token; null for a wrong one. Throws after too many failures. */
  login(token: string, actor: string): Session | null;
  logout(id: string): void;
  /** Who is calling, from the bearer token or the session cookie; null when neither is valid. */
  identify(c: Context): Who | null;
  /** Set the session cookie on a response. */
  setCookie(c: Context, s: Session): void;
  clearCookie(c: Context): void;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** A display name for the audit trail, or the fallback when missing or not plain text. */
export function actorName(value: string | undefined | null, fallback: string): string {
  const v = value?.trim();
  return v !== undefined && ACTOR.test(v) ? v : fallback;
}

export function createAuth(token: string, now: () => number = Date.now): Auth {
  const want = digest(token);
  const sessions = new Map<string, Session>();
  let failures: number[] = [];
  const checkToken = (candidate: string): boolean => timingSafeEqual(digest(candidate), want);
  const session = (id: string | undefined): Session | null => {
    if (id === undefined) return null;
    const s = sessions.get(id);
    if (s === undefined || s.expires <= now()) {
      sessions.delete(id ?? '');
      return null;
    }
    return s;
  };
  return {
    checkToken,
    login(candidate, actor) {
      const t = now();
      failures = failures.filter((f) => t - f < LOGIN_WINDOW_MS);
      if (failures.length >= MAX_FAILED_LOGINS) {
        throw new CordonError(
          ADMIN_ERRORS.tooManyLogins,
          'too many failed logins; wait a minute and try again',
        );
      }
      if (!checkToken(candidate)) {
        failures.push(t);
        return null;
      }
      for (const [id, s] of sessions) if (s.expires <= t) sessions.delete(id);
      const s: Session = {
        id: randomBytes(32).toString('base64url'),
        csrf: randomBytes(24).toString('base64url'),
        actor: actorName(actor, 'admin'),
        expires: t + SESSION_TTL_MS,
      };
      sessions.set(s.id, s);
      return s;
    },
    logout: (id) => void sessions.delete(id),
    identify(c) {
      const header = c.req.header('authorization');
      if (header !== undefined) {
        const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
        if (m === null || !checkToken(m[1] ?? '')) return null;
        return { via: 'bearer', actor: actorName(c.req.header('x-cordon-actor'), 'api'), session: null };
      }
      const s = session(getCookie(c, SESSION_COOKIE));
      return s === null ? null : { via: 'session', actor: s.actor, session: s };
    },
    setCookie(c, s) {
      setCookie(c, SESSION_COOKIE, s.id, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
    },
    clearCookie: (c) => void deleteCookie(c, SESSION_COOKIE, { path: '/' }),
  };
}

/**
 * Require a cookie session's CSRF token on unsafe methods (form field `_csrf` or header
 * `X-CSRF-Token`). Bearer requests pass: browsers never attach that header on their own.
 */
export function requireCsrf(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const who = c.get('who');
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || who.via === 'bearer') return next();
    let sent = c.req.header('x-csrf-token');
    if (sent === undefined && (c.req.header('content-type') ?? '').includes('form')) {
      const body = await c.req.parseBody();
      sent = typeof body._csrf === 'string' ? body._csrf : undefined;
    }
    const want = who.session?.csrf ?? '';
    if (sent === undefined || !timingSafeEqual(digest(sent), digest(want))) {
      throw new CordonError(ADMIN_ERRORS.csrf, 'missing or wrong CSRF token; reload the page and try again');
    }
    return next();
  };
}
