/**
 * @module proxy/respond
 * Cordon's own responses: denials (403 with `X-Cordon-Decision`/`X-Cordon-Reason` and a text body
 * that names the destination, the reason and how to ask for access) and errors. Written either on a
 * `ServerResponse` or, for CONNECT and malformed input, as raw bytes on a socket. Never 407: clients
 * read it as "send credentials".
 */
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { ReasonCode } from '../policy/types.js';

export interface CordonResponse {
  readonly status: number;
  readonly reason: ReasonCode;
  readonly destination: string;
  /** Why, in one sentence (a decision's detail or a failure's fixed text). */
  readonly detail: string;
  readonly requestId: string;
  /** The operator's `deny.message`, shown on denials. */
  readonly help: string;
  /** Seconds, for 429/503. */
  readonly retryAfter?: number;
}

function body(r: CordonResponse): string {
  const lines = [
    r.status === 403
      ? 'Cordon denied this request.'
      : `Cordon could not complete this request (${r.status}).`,
    '',
    `Destination: ${r.destination}`,
    `Reason: ${r.reason}: ${r.detail}`,
    `Request id: ${r.requestId}`,
  ];
  if (r.status === 403 && r.help) lines.push('', r.help);
  return lines.join('\n') + '\n';
}

function headerPairs(r: CordonResponse, text: string, close: boolean): [string, string][] {
  const h: [string, string][] = [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(Buffer.byteLength(text))],
    ['Cache-Control', 'no-store'],
    ['X-Cordon-Decision', r.status === 403 ? 'deny' : 'error'],
    ['X-Cordon-Reason', r.reason],
    ['X-Cordon-Request-Id', r.requestId],
  ];
  if (r.retryAfter !== undefined) h.push(['Retry-After', String(r.retryAfter)]);
  if (close) h.push(['Connection', 'close']);
  return h;
}

/** Send on an HTTP response. `close` asks the client to drop the connection afterwards. */
export function sendResponse(res: ServerResponse, r: CordonResponse, close: boolean): void {
  const text = body(r);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (close) res.shouldKeepAlive = false;
  const flat = headerPairs(r, text, close).flat();
  res.writeHead(r.status, flat);
  res.end(text);
}

/** The whole response as bytes to write on a raw socket; `close` adds `Connection: close`. */
export function rawResponse(r: CordonResponse, close: boolean): string {
  const text = body(r);
  const head = headerPairs(r, text, close)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return `HTTP/1.1 ${r.status} ${STATUS_CODES[r.status] ?? ''}\r\n${head}\r\n${text}`;
}

/** Send on a raw socket (CONNECT, malformed requests), then close our side. */
export function sendRaw(socket: Socket, r: CordonResponse): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawResponse(r, true));
}
