/**
 * @module proxy/fast/serialize
 * The heads the fast engine writes, always rebuilt from parsed and checked parts (never the bytes
 * a peer sent): the upstream request (origin-form path, Host from the absolute URI, hop-by-hop and
 * `Proxy-*` headers dropped by proxy/headers) and the client's response (Cordon's `X-Cordon-*`
 * names dropped). The caller adds the framing and connection headers it chose.
 */
import { clientResponseLines, hostHeaderFor, upstreamRequestLines } from '../headers.js';
import type { AbsoluteTarget } from '../request-target.js';
import type { RequestHead } from './request-parser.js';
import type { ResponseHead } from './response-parser.js';

/** The request head to send upstream (HTTP/1.1, latin1). */
export function upstreamRequestHead(head: RequestHead, target: AbsoluteTarget): string {
  const fields = upstreamRequestLines(head.rawHeaders, hostHeaderFor(target.host, target.port, 80));
  const framing = head.body === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : '';
  return `${head.method} ${target.path} HTTP/1.1\r\n${fields}${framing}\r\n`;
}

/** The response head to send the client; `extra` holds framing and connection lines, each ending CRLF. */
export function clientResponseHead(head: ResponseHead, extra: string): string {
  return `HTTP/1.1 ${head.status} ${head.reason}\r\n${clientResponseLines(head.rawHeaders)}${extra}\r\n`;
}
