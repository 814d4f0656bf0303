/**
 * @module proxy/fast/request-parser
 * The fast engine's strict, incremental HTTP/1.1 request-head parser, at least as strict as Node's
 * llhttp (proved by test/proxy/fast-differential.test.ts). Request line `METHOD SP target SP
 * HTTP/1.x` with a known method and single spaces; token header names; no obs-fold; CRLF only;
 * bounded size (431), URL (414) and header count (431). Then framing (RFC 9112 §6): one decimal
 * Content-Length, or `Transfer-Encoding: chunked` exactly, never both, never TE on HTTP/1.0; one
 * Host (required on HTTP/1.1); Expect only `100-continue` (else 417). Throws `CORDON_PROXY_BAD_REQUEST`
 * with the status to answer. Does no I/O.
 */
import { METHODS } from 'node:http';
import { PROXY_ERRORS, ProxyError } from '../errors.js';
import type { RequestShape } from '../request-checks.js';
import { ALPHA, AUTHORITY, SP, TARGET, allIn, bytesAt, HTTP_1_DOT, indexOfByte } from './chars.js';
import { blankNotes, parseField, type FieldNotes } from './fields.js';
import { HeadScanner } from './head-scanner.js';

export type RequestBody = 'none' | 'length' | 'chunked';

export interface RequestHead extends RequestShape {
  readonly method: string;
  readonly url: string;
  readonly httpVersionMajor: 1;
  readonly httpVersionMinor: 0 | 1;
  /** Names as sent and OWS-trimmed values, flat (`rawHeaders` layout). */
  readonly rawHeaders: string[];
  readonly body: RequestBody;
  /** Content-Length when `body` is `length`, else 0. */
  readonly length: number;
  /** The client may send another request on this connection afterwards. */
  readonly keepAlive: boolean;
  /** `Expect: 100-continue` on an HTTP/1.1 request with a body. */
  readonly expectContinue: boolean;
  /** A protocol upgrade is asked for (`Connection: upgrade` and an `Upgrade` header). */
  readonly upgrade: boolean;
}

export interface RequestLimits {
  readonly maxHeaderBytes: number;
  readonly maxUrlLength: number;
  readonly maxHeaders: number;
}

/** llhttp's method list (Node's `http.METHODS`); a lowercase or unknown method is refused as it is. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);
/** The methods nearly every request uses, as bytes: read without a call into C++. */
const COMMON_METHODS = ['GET', 'CONNECT', 'POST', 'HEAD', 'PUT'].map((m) => ({
  m,
  bytes: [...Buffer.from(m)],
}));

function methodOf(buf: Buffer, start: number, end: number): string {
  for (const { m, bytes } of COMMON_METHODS)
    if (bytes.length === end - start && bytesAt(buf, start, bytes)) return m;
  return buf.toString('latin1', start, end);
}

/**
 * The request-target's form (RFC 9112 §3.2): origin (`/…`), asterisk (`*`), absolute
 * (`scheme://authority[/…|?…]`, letters-only scheme, no userinfo) or, for CONNECT, authority. All in
 * visible ASCII. Mirrors what llhttp's URL parser takes, minus userinfo.
 */
function validTarget(buf: Buffer, s: number, e: number, connect: boolean): boolean {
  if (connect) return allIn(AUTHORITY, buf, s, e);
  if (!allIn(TARGET, buf, s, e)) return false;
  const c0 = buf[s];
  if (c0 === 0x2f) return true;
  if (c0 === 0x2a) return e - s === 1;
  let i = s;
  while (i < e && ALPHA[buf[i] as number] === 1) i++;
  if (i === s || e - i < 3 || buf[i] !== 0x3a || buf[i + 1] !== 0x2f || buf[i + 2] !== 0x2f) return false;
  const a = i + 3;
  i = a;
  while (i < e && AUTHORITY[buf[i] as number] === 1) i++;
  // An empty authority (`http:///`) parses, as in llhttp; admission refuses it as an invalid host.
  return i === e || buf[i] === 0x2f || buf[i] === 0x3f;
}

export function badRequest(why: string, status = 400): ProxyError {
  return new ProxyError(PROXY_ERRORS.badRequest, why, { status });
}

export class RequestParser extends HeadScanner<RequestHead> {
  private method = '';
  private url = '';
  private minor: 0 | 1 = 1;
  private raw: string[] = [];
  private notes: FieldNotes = blankNotes();

  constructor(private readonly limits: RequestLimits) {
    super(limits.maxHeaderBytes);
  }

  protected fail(why: string): ProxyError {
    return badRequest(why);
  }

  protected tooLarge(): ProxyError {
    return badRequest('request head too large', 431);
  }

  protected line(buf: Buffer, start: number, end: number, index: number): void {
    if (index === 0) return this.requestLine(buf, start, end);
    if (this.raw.length >= this.limits.maxHeaders * 2) throw badRequest('too many request headers', 431);
    const why = parseField(buf, start, end, this.raw, this.notes);
    if (why !== null) throw badRequest(why);
  }

  private requestLine(buf: Buffer, start: number, end: number): void {
    const sp1 = indexOfByte(buf, SP, start, end);
    if (sp1 === -1) throw badRequest('malformed request line');
    const method = methodOf(buf, start, sp1);
    if (!KNOWN_METHODS.has(method)) throw badRequest('unknown method');
    const sp2 = indexOfByte(buf, SP, sp1 + 1, end);
    if (sp2 === -1 || sp2 === sp1 + 1) throw badRequest('malformed request line');
    if (sp2 - sp1 - 1 > this.limits.maxUrlLength) throw badRequest('request URL too long', 414);
    if (!validTarget(buf, sp1 + 1, sp2, method === 'CONNECT')) throw badRequest('invalid request target');
    const v = sp2 + 1;
    if (end - v !== 8 || !bytesAt(buf, v, HTTP_1_DOT)) throw badRequest('unsupported HTTP version');
    const minor = buf[v + 7];
    if (minor !== 0x30 && minor !== 0x31) throw badRequest('unsupported HTTP version');
    this.method = method;
    this.url = buf.toString('latin1', sp1 + 1, sp2);
    this.minor = minor === 0x31 ? 1 : 0;
  }

  protected complete(): RequestHead {
    const n = this.notes;
    const minor = this.minor;
    const connect = this.method === 'CONNECT';
    // RFC 9112 §6.1, §6.3: anything a next hop might frame differently is refused, not repaired.
    if (n.hosts > 1) throw badRequest('duplicate Host header');
    if (minor === 1 && n.hosts === 0) throw badRequest('missing Host header');
    if (n.encodings > 0) {
      if (!n.chunked) throw badRequest('only Transfer-Encoding: chunked is accepted');
      if (minor === 0) throw badRequest('Transfer-Encoding is not allowed on HTTP/1.0');
      if (n.lengths > 0) throw badRequest('both Transfer-Encoding and Content-Length');
    }
    if (connect && (n.encodings > 0 || n.contentLength > 0)) throw badRequest('CONNECT with a body');
    let expectContinue = false;
    if (minor === 1 && n.expect !== null) {
      // Node answers 417 for any expectation but 100-continue; so do we (RFC 9110 §10.1.1).
      if (n.expect !== '100-continue') throw badRequest('unsupported expectation', 417);
      expectContinue = n.encodings > 0 || n.contentLength > 0;
    }
    const body: RequestBody = n.encodings > 0 ? 'chunked' : n.contentLength > 0 ? 'length' : 'none';
    const head: RequestHead = {
      method: this.method,
      url: this.url,
      httpVersionMajor: 1,
      httpVersionMinor: minor,
      rawHeaders: this.raw,
      body: connect ? 'none' : body,
      length: body === 'length' ? n.contentLength : 0,
      keepAlive: !n.close && (minor === 1 || n.keepAlive),
      expectContinue,
      upgrade: !connect && n.upgradeToken && n.upgrade,
    };
    this.raw = [];
    this.notes = blankNotes();
    return head;
  }

  /** Forget a partial head and its fields. */
  override reset(): void {
    super.reset();
    this.raw = [];
    this.notes = blankNotes();
  }
}

export function createRequestParser(limits: RequestLimits): RequestParser {
  return new RequestParser(limits);
}
