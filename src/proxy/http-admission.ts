/**
 * @module proxy/http-admission
 * The steps every HTTP engine takes for one parsed plain-HTTP proxy request, and the one mapping of
 * a forwarding failure to Cordon's response: request shape, absolute-form target, scheme, `decide()`.
 * Returns what to send and how to finish the record; the engine owns the socket and writes it.
 * Must not do I/O.
 */
import { errorCode } from '../errors.js';
import { decide } from '../policy/decide.js';
import { REASONS, type ReasonCode } from '../policy/types.js';
import { failureFor, PROXY_ERRORS, ProxyError } from './errors.js';
import type { RecordBuilder } from './recorder.js';
import { checkRequestShape, type RequestShape } from './request-checks.js';
import { parseAbsoluteTarget, type AbsoluteTarget } from './request-target.js';
import type { CordonResponse } from './respond.js';
import type { ProxyRuntime } from './runtime.js';
import type { ProxyLogger } from './server.js';
import { OUT_OF_DESCRIPTORS } from './warnings.js';

export interface FinishPatch {
  readonly status: number;
  readonly decision?: 'allow' | 'deny';
  readonly reason?: ReasonCode;
}

/** A refusal: what to answer, how to finish the record, and whether the connection must close. */
export interface Refusal {
  readonly allowed: false;
  readonly response: CordonResponse;
  readonly finish: FinishPatch;
  /** A policy denial of a well-formed request: the connection may stay open if no body is pending. */
  readonly denial: boolean;
}

export type Admission = { readonly allowed: true; readonly target: AbsoluteTarget } | Refusal;

function refusal(response: CordonResponse, finish: FinishPatch, denial: boolean): Refusal {
  return { allowed: false, response, finish, denial };
}

/** Check, target and decide one request, filling in the record. Never throws. */
export function admitHttpRequest(runtime: ProxyRuntime, r: RecordBuilder, req: RequestShape): Admission {
  const help = runtime.settings.denyMessage;
  let target: AbsoluteTarget | null;
  try {
    checkRequestShape(req, runtime.settings.limits);
    target = parseAbsoluteTarget(req.url ?? '');
    if (target === null)
      throw new ProxyError(
        PROXY_ERRORS.badRequest,
        'origin-form request: this is a forward proxy, send an absolute http:// URL',
      );
  } catch (e: unknown) {
    const f = failureFor(e);
    const status = e instanceof ProxyError && e.status !== undefined ? e.status : f.status;
    const detail = e instanceof Error ? e.message : f.message;
    return refusal(
      r.response(status, f.reason, detail, help),
      { status, decision: 'deny', reason: f.reason },
      false,
    );
  }
  r.target(target.scheme === 'https' ? 'https' : 'http', target.host, target.port, target.path);
  if (target.scheme !== 'http') {
    const detail = `${target.scheme}:// URLs are not forwarded; use CONNECT for https`;
    return refusal(
      r.response(403, REASONS.schemeNotAllowed, detail, help),
      { status: 403, decision: 'deny', reason: REASONS.schemeNotAllowed },
      false,
    );
  }
  const decision = decide(runtime.policy, {
    client: r.record.client,
    scheme: 'http',
    host: target.host,
    port: target.port,
    isIp: target.isIp,
  });
  r.decision(decision, runtime.policy.version);
  if (!decision.allow) {
    return refusal(r.response(403, decision.reason, decision.detail, help), { status: 403 }, true);
  }
  return { allowed: true, target };
}

/** What to answer (if nothing was sent yet) and how to finish the record after a forwarding failure. */
export function forwardFailure(
  e: unknown,
  r: RecordBuilder,
  help: string,
  logger: ProxyLogger,
): { response: CordonResponse; finish: FinishPatch } {
  const f = failureFor(e);
  if (f.status === 500) logger.error({ err: e, id: r.record.id }, 'forwarding failed');
  if (f.reason === REASONS.resourceExhausted) logger.warn({ code: errorCode(e) }, OUT_OF_DESCRIPTORS);
  return {
    response: { ...r.response(f.status, f.reason, f.message, help), retryAfter: f.retryAfter },
    finish: { status: f.status, reason: f.reason, decision: f.status === 403 ? 'deny' : 'allow' },
  };
}
