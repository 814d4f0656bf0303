/**
 * @module admin/errors
 * The admin part's error codes, and the one mapping from any error to an HTTP status and a JSON
 * body `{ error: { code, message } }`. Messages of Cordon's own errors are written for operators and
 * safe to show; anything unexpected becomes a 500 with a fixed text (details go to the log).
 */
import { AUDIT_ERRORS } from '../audit/errors.js';
import { REVIEW_ERRORS } from '../audit/review-scope.js';
import { POLICY_EDIT_ERRORS } from '../config/policy-edit.js';
import { CordonError } from '../errors.js';

export const ADMIN_ERRORS = {
  /** A request body, query or path parameter is malformed. */
  badInput: 'CORDON_ADMIN_BAD_INPUT',
  /** No token, or the wrong one. */
  unauthorized: 'CORDON_ADMIN_UNAUTHORIZED',
  /** A form was posted without the session's CSRF token. */
  csrf: 'CORDON_ADMIN_CSRF',
  /** The policy changed since the client read it (its hash no longer matches); nothing was written. */
  conflict: 'CORDON_ADMIN_CONFLICT',
  /** The edit would make the policy invalid; it was rolled back. */
  invalidPolicy: 'CORDON_ADMIN_INVALID_POLICY',
  /** The policy comes from a remote source (S3, SSM): edit it there. */
  remotePolicy: 'CORDON_ADMIN_REMOTE_POLICY',
  /** Too many failed logins; wait a minute. */
  tooManyLogins: 'CORDON_ADMIN_TOO_MANY_LOGINS',
  /** The admin token file is unreadable or too open. */
  token: 'CORDON_ADMIN_TOKEN',
} as const;

const STATUS: Readonly<Record<string, number>> = {
  [ADMIN_ERRORS.badInput]: 400,
  [ADMIN_ERRORS.invalidPolicy]: 400,
  [POLICY_EDIT_ERRORS.badEntry]: 400,
  [POLICY_EDIT_ERRORS.unknownGroup]: 400,
  [REVIEW_ERRORS.badScope]: 400,
  [ADMIN_ERRORS.unauthorized]: 401,
  [ADMIN_ERRORS.csrf]: 403,
  [AUDIT_ERRORS.notFound]: 404,
  [ADMIN_ERRORS.conflict]: 409,
  [ADMIN_ERRORS.remotePolicy]: 409,
  [POLICY_EDIT_ERRORS.conflict]: 409,
  [POLICY_EDIT_ERRORS.noFile]: 409,
  [AUDIT_ERRORS.revertConflict]: 409,
  [ADMIN_ERRORS.tooManyLogins]: 429,
};

export interface HttpFailure {
  status: 400 | 401 | 403 | 404 | 409 | 429 | 500;
  code: string;
  message: string;
}

/** Status, code and a message safe to send for any thrown value. */
export function toHttpFailure(e: unknown): HttpFailure {
  if (e instanceof CordonError) {
    const status = STATUS[e.code];
    if (status !== undefined)
      return { status: status as HttpFailure['status'], code: e.code, message: e.message };
  }
  return { status: 500, code: 'CORDON_ADMIN_INTERNAL', message: 'internal error; see the gateway log' };
}

export const badInput = (message: string): CordonError => new CordonError(ADMIN_ERRORS.badInput, message);
