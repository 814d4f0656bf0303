/**
 * @module proxy/errors
 * The proxy's error codes and the one mapping from any failure (Cordon's, Node's, the resolver's) to
 * the status and reason a client gets. Clients only ever see fixed texts; details go to the log.
 */
import { CordonError, errorCode } from '../errors.js';
import { REASONS, type ReasonCode } from '../policy/types.js';

export const PROXY_ERRORS = {
  blockedAddress: 'CORDON_PROXY_BLOCKED_ADDRESS',
  connectTimeout: 'CORDON_PROXY_CONNECT_TIMEOUT',
  upstreamTimeout: 'CORDON_PROXY_UPSTREAM_TIMEOUT',
  badRequest: 'CORDON_PROXY_BAD_REQUEST',
  limit: 'CORDON_PROXY_LIMIT',
  /** The upstream sent a response that cannot be framed unambiguously (fast engine's parser). */
  upstreamProtocol: 'CORDON_PROXY_UPSTREAM_PROTOCOL',
  /** The upstream closed the connection before the response was complete. */
  upstreamClosed: 'CORDON_PROXY_UPSTREAM_CLOSED',
  /** No file descriptor was free for the upstream connection (EMFILE, ENFILE). */
  noDescriptors: 'CORDON_PROXY_NO_DESCRIPTORS',
} as const;

/**
 * Node's codes for "no descriptor to spare": this process is at its `ulimit -n` (EMFILE), or the
 * whole system at `fs.file-max` (ENFILE).
 */
export const NO_DESCRIPTOR_CODES: ReadonlySet<string> = new Set(['EMFILE', 'ENFILE']);

/** Seconds a client is asked to wait (`Retry-After`) after a 429 or 503. */
export const RETRY_AFTER_S = 1;

export class ProxyError extends CordonError {
  /** A more precise status than the code's default (414, 431). */
  readonly status: number | undefined;

  constructor(code: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.name = 'ProxyError';
    this.status = options?.status;
  }
}

export interface Failure {
  readonly status: number;
  readonly reason: ReasonCode;
  /** Fixed text for the client. */
  readonly message: string;
  /** Seconds for `Retry-After`, when waiting may help (429, 503). */
  readonly retryAfter?: number;
}

const CONNECT_ERRORS = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'EADDRNOTAVAIL',
]);

/** Map any failure to what the client is told. Unknown errors are 500 with a fixed message. */
export function failureFor(e: unknown): Failure {
  const code = errorCode(e) ?? '';
  if (code.startsWith('CORDON_NET_DNS_')) {
    return {
      status: 502,
      reason: REASONS.dnsFailure,
      message: 'The destination name could not be resolved.',
    };
  }
  if (code === PROXY_ERRORS.noDescriptors || NO_DESCRIPTOR_CODES.has(code)) {
    return {
      status: 503,
      reason: REASONS.resourceExhausted,
      message: 'The proxy is out of file descriptors; try again shortly.',
      retryAfter: RETRY_AFTER_S,
    };
  }
  switch (code) {
    case 'CORDON_POLICY_INVALID_HOST':
      return { status: 400, reason: REASONS.invalidHost, message: 'The destination host name is not valid.' };
    case 'CORDON_NET_BAD_AUTHORITY':
    case 'CORDON_NET_BAD_PORT':
      return { status: 400, reason: REASONS.badRequest, message: 'The CONNECT target must be host:port.' };
    case PROXY_ERRORS.blockedAddress:
      return {
        status: 403,
        reason: REASONS.blockedAddress,
        message: 'The destination resolves to an address the proxy may not reach.',
      };
    case PROXY_ERRORS.connectTimeout:
      return {
        status: 504,
        reason: REASONS.upstreamTimeout,
        message: 'Connecting to the destination timed out.',
      };
    case PROXY_ERRORS.upstreamTimeout:
      return {
        status: 504,
        reason: REASONS.upstreamTimeout,
        message: 'The destination did not answer in time.',
      };
    case PROXY_ERRORS.badRequest:
      return {
        status: 400,
        reason: REASONS.badRequest,
        message: 'The request is not a valid proxy request.',
      };
    case PROXY_ERRORS.upstreamProtocol:
      return {
        status: 502,
        reason: REASONS.upstreamError,
        message: 'The destination sent an invalid response.',
      };
    case PROXY_ERRORS.upstreamClosed:
      return {
        status: 502,
        reason: REASONS.upstreamConnectFailed,
        message: 'The destination refused or dropped the connection.',
      };
    case PROXY_ERRORS.limit:
      return {
        status: 429,
        reason: REASONS.limitExceeded,
        message: 'Too many connections; try again shortly.',
        retryAfter: RETRY_AFTER_S,
      };
    default:
      if (CONNECT_ERRORS.has(code)) {
        return {
          status: 502,
          reason: REASONS.upstreamConnectFailed,
          message: 'The destination refused or dropped the connection.',
        };
      }
      if (code.startsWith('HPE_')) {
        return {
          status: 502,
          reason: REASONS.upstreamError,
          message: 'The destination sent an invalid response.',
        };
      }
      return {
        status: 500,
        reason: REASONS.internalError,
        message: 'The proxy failed to handle this request.',
      };
  }
}
