/**
 * @module proxy/fast/response-parser
 * Strict, incremental parser of an upstream response head and its framing (RFC 9112 §4, §6.3):
 * `HTTP/1.x SP 3DIGIT SP reason`, fields as for requests, then no body (HEAD, 1xx, 204, 304), one
 * decimal Content-Length, `Transfer-Encoding: chunked` exactly, or close-delimited. Ambiguous framing
 * (both, duplicates, other codings) throws `CORDON_PROXY_UPSTREAM_PROTOCOL`: the caller closes both
 * sides rather than guess where the response ends. Does no I/O.
 */
import { PROXY_ERRORS, ProxyError } from '../errors.js';
import { REASON_PHRASE, SP, allIn, bytesAt, HTTP_1_DOT } from './chars.js';
import { blankNotes, parseField, type FieldNotes } from './fields.js';
import { HeadScanner } from './head-scanner.js';

export type ResponseBody = 'none' | 'length' | 'chunked' | 'close';

export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  readonly httpVersionMinor: 0 | 1;
  readonly rawHeaders: string[];
  readonly body: ResponseBody;
  /** Content-Length when `body` is `length`. */
  readonly length: number;
  /** The upstream connection may carry another request after this response. */
  readonly keepAlive: boolean;
}

// Plenty for real responses (Node's client allows 2000); bounds the work a hostile upstream causes.
const MAX_RESPONSE_HEADERS = 1000;

export function badResponse(why: string): ProxyError {
  return new ProxyError(PROXY_ERRORS.upstreamProtocol, `invalid upstream response: ${why}`);
}

/** The reason phrase `buf[from, end)`; the usual `OK` without a call into C++. */
function reasonOf(buf: Buffer, from: number, end: number): string {
  if (end <= from) return '';
  if (end === from + 2 && buf[from] === 0x4f && buf[from + 1] === 0x4b) return 'OK';
  return buf.toString('latin1', from, end);
}

function digit(b: number | undefined): number {
  return b !== undefined && b >= 0x30 && b <= 0x39 ? b - 0x30 : -1;
}

export class ResponseParser extends HeadScanner<ResponseHead> {
  /** Set before each response: the answer to a HEAD request has no body whatever it says. */
  headRequest = false;
  private status = 0;
  private reason = '';
  private minor: 0 | 1 = 1;
  private raw: string[] = [];
  private notes: FieldNotes = blankNotes();

  constructor(maxHeaderBytes: number) {
    super(maxHeaderBytes);
  }

  protected fail(why: string): ProxyError {
    return badResponse(why);
  }

  protected tooLarge(): ProxyError {
    return badResponse('head too large');
  }

  protected line(buf: Buffer, start: number, end: number, index: number): void {
    if (index === 0) return this.statusLine(buf, start, end);
    if (this.raw.length >= MAX_RESPONSE_HEADERS * 2) throw badResponse('too many headers');
    const why = parseField(buf, start, end, this.raw, this.notes);
    if (why !== null) throw badResponse(why);
  }

  private statusLine(buf: Buffer, start: number, end: number): void {
    if (end - start < 12 || !bytesAt(buf, start, HTTP_1_DOT)) throw badResponse('malformed status line');
    const minor = buf[start + 7];
    if ((minor !== 0x30 && minor !== 0x31) || buf[start + 8] !== SP) throw badResponse('unsupported version');
    const d1 = digit(buf[start + 9]);
    const d2 = digit(buf[start + 10]);
    const d3 = digit(buf[start + 11]);
    if (d1 < 1 || d1 > 5 || d2 < 0 || d3 < 0) throw badResponse('invalid status code');
    // RFC 9112 §4 wants the SP even with an empty reason; servers that omit it are common and harmless.
    if (end > start + 12 && buf[start + 12] !== SP) throw badResponse('malformed status line');
    if (!allIn(REASON_PHRASE, buf, start + 13, end)) throw badResponse('invalid reason phrase');
    this.status = d1 * 100 + d2 * 10 + d3;
    this.reason = reasonOf(buf, start + 13, end);
    this.minor = minor === 0x31 ? 1 : 0;
  }

  protected complete(): ResponseHead {
    const n = this.notes;
    const status = this.status;
    if (n.encodings > 0) {
      if (!n.chunked) throw badResponse('Transfer-Encoding other than chunked');
      if (n.lengths > 0) throw badResponse('both Transfer-Encoding and Content-Length');
    }
    const bodiless = this.headRequest || status < 200 || status === 204 || status === 304;
    const body: ResponseBody = bodiless
      ? 'none'
      : n.encodings > 0
        ? 'chunked'
        : n.lengths > 0
          ? 'length'
          : 'close';
    const head: ResponseHead = {
      status,
      reason: this.reason,
      httpVersionMinor: this.minor,
      rawHeaders: this.raw,
      body,
      length: body === 'length' ? n.contentLength : 0,
      keepAlive: this.minor === 1 && !n.close && body !== 'close',
    };
    this.raw = [];
    this.notes = blankNotes();
    return head;
  }

  override reset(): void {
    super.reset();
    this.raw = [];
    this.notes = blankNotes();
  }
}
