/**
 * @module proxy/fast/chunked
 * Streaming validation of a chunked body (RFC 9112 §7.1) as it passes through. Chunk sizes are hex
 * (at most 16 digits, at most 2^48), extensions must be `;token[=token|quoted-string]` with no
 * whitespace, every CRLF must be exact, trailer lines must be valid fields. In `framed` mode the
 * bytes go on as they came, except that extensions and trailers are dropped (as Node drops them),
 * so the next hop sees only framing we have checked; in `payload` mode only the data goes on.
 * Never buffers: data is handed on as views of the input.
 */
import type { ProxyError } from '../errors.js';
import { CR, FIELD_VALUE, HEX, LF, QDTEXT, QUOTED_PAIR, TOKEN } from './chars.js';

/** Where body bytes go. */
export interface ByteSink {
  push(bytes: Buffer): void;
}

/** A body being read: `feed()` consumes from `start` and returns where it stopped. */
export interface BodyReader {
  feed(buf: Buffer, start: number, sink: ByteSink): number;
  readonly done: boolean;
  /** Payload bytes seen so far (without framing). */
  readonly payloadBytes: number;
}

const enum S {
  SizeFirst,
  Size,
  ExtName,
  ExtNameMore,
  ExtValue,
  ExtToken,
  ExtQuoted,
  ExtEscape,
  ExtQuotedEnd,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerName,
  TrailerValue,
  TrailerLf,
  FinalLf,
  Done,
}

const MAX_SIZE_DIGITS = 16;
const MAX_CHUNK = 2 ** 48;
// A size line with extensions longer than this is an attack on our patience, not a body.
const MAX_SIZE_LINE = 1024;
const CRLF = Buffer.from('\r\n');
// Fields that frame or route a message are never valid as trailers (RFC 9110 §6.5.1); llhttp acts
// on some of them there, so a trailer could change where it thinks the connection ends.
const FORBIDDEN_TRAILERS = new Set([
  'content-length',
  'transfer-encoding',
  'host',
  'connection',
  'proxy-connection',
]);
const LONGEST_FORBIDDEN = 17;

function lower(b: number): string {
  return String.fromCharCode(b >= 0x41 && b <= 0x5a ? b | 0x20 : b);
}

export class ChunkedReader implements BodyReader {
  private s = S.SizeFirst;
  private size = 0;
  private digits = 0;
  private lineBytes = 0;
  private trailerBytes = 0;
  private trailerName = '';
  private remaining = 0;
  payloadBytes = 0;

  constructor(
    private readonly framed: boolean,
    private readonly maxTrailerBytes: number,
    private readonly fail: (why: string) => ProxyError,
  ) {}

  get done(): boolean {
    return this.s === S.Done;
  }

  feed(buf: Buffer, start: number, sink: ByteSink): number {
    const framed = this.framed;
    const len = buf.length;
    // Start of the framed bytes not yet handed on, or -1 while skipping (extensions, trailers).
    let emit = framed && !this.skipping() ? start : -1;
    let i = start;
    while (i < len && this.s !== S.Done) {
      if (this.s === S.Data) {
        const n = Math.min(this.remaining, len - i);
        if (!framed) sink.push(buf.subarray(i, i + n));
        this.remaining -= n;
        this.payloadBytes += n;
        i += n;
        if (this.remaining === 0) this.s = S.DataCr;
        continue;
      }
      const b = buf[i] as number;
      const before = this.s;
      this.step(b);
      if (framed) {
        if (before === S.Size && this.s === S.ExtName) {
          if (emit !== -1 && i > emit) sink.push(buf.subarray(emit, i));
          emit = -1;
        } else if (this.s === S.SizeLf && emit === -1 && before !== S.SizeLf) emit = i;
      }
      i++;
      if (before === S.SizeLf && this.s === S.TrailerStart) {
        // Last chunk: hand on `0\r\n`, drop the trailers, end with our own CRLF below.
        if (framed && emit !== -1) sink.push(buf.subarray(emit, i));
        emit = -1;
      }
    }
    if (framed) {
      if (emit !== -1 && i > emit) sink.push(buf.subarray(emit, i));
      if (this.s === S.Done && i > start) sink.push(CRLF);
    }
    return i;
  }

  /** In extensions or trailers, whose bytes are not handed on. */
  private skipping(): boolean {
    return (this.s >= S.ExtName && this.s <= S.ExtQuotedEnd) || this.s >= S.TrailerStart;
  }

  private sizeLine(): void {
    if (++this.lineBytes > MAX_SIZE_LINE) throw this.fail('chunk size line too long');
  }

  /** One byte of framing. */
  private step(b: number): void {
    switch (this.s) {
      case S.SizeFirst:
      case S.Size: {
        const h = HEX[b] as number;
        if (h >= 0) {
          if (++this.digits > MAX_SIZE_DIGITS) throw this.fail('chunk size too long');
          this.size = this.size * 16 + h;
          if (this.size > MAX_CHUNK) throw this.fail('chunk size too large');
          this.s = S.Size;
          return this.sizeLine();
        }
        if (this.s === S.SizeFirst) throw this.fail('invalid chunk size');
        if (b === 0x3b) this.s = S.ExtName;
        else if (b === CR) this.s = S.SizeLf;
        else throw this.fail('invalid chunk size');
        return this.sizeLine();
      }
      case S.ExtName:
        if (TOKEN[b] !== 1) throw this.fail('invalid chunk extension');
        this.s = S.ExtNameMore;
        return this.sizeLine();
      case S.ExtNameMore:
        if (TOKEN[b] === 1) return this.sizeLine();
        return this.afterExt(b, true);
      case S.ExtValue:
        if (b === 0x22) this.s = S.ExtQuoted;
        else if (TOKEN[b] === 1) this.s = S.ExtToken;
        else throw this.fail('invalid chunk extension value');
        return this.sizeLine();
      case S.ExtToken:
        if (TOKEN[b] === 1) return this.sizeLine();
        return this.afterExt(b, false);
      case S.ExtQuoted:
        if (b === 0x22) this.s = S.ExtQuotedEnd;
        else if (b === 0x5c) this.s = S.ExtEscape;
        else if (QDTEXT[b] !== 1) throw this.fail('invalid chunk extension value');
        return this.sizeLine();
      case S.ExtEscape:
        if (QUOTED_PAIR[b] !== 1) throw this.fail('invalid chunk extension value');
        this.s = S.ExtQuoted;
        return this.sizeLine();
      case S.ExtQuotedEnd:
        return this.afterExt(b, false);
      case S.SizeLf:
        if (b !== LF) throw this.fail('expected LF after the chunk size');
        this.lineBytes = 0;
        this.digits = 0;
        if (this.size === 0) {
          this.s = S.TrailerStart;
        } else {
          this.remaining = this.size;
          this.size = 0;
          this.s = S.Data;
        }
        return;
      case S.DataCr:
        if (b !== CR) throw this.fail('expected CRLF after chunk data');
        this.s = S.DataLf;
        return;
      case S.DataLf:
        if (b !== LF) throw this.fail('expected CRLF after chunk data');
        this.s = S.SizeFirst;
        return;
      case S.TrailerStart:
      case S.TrailerName:
      case S.TrailerValue:
      case S.TrailerLf:
      case S.FinalLf:
        return this.trailer(b);
      case S.Data:
      case S.Done:
        throw this.fail('chunked body state');
    }
  }

  /** After an extension name or value: another extension, or the end of the size line. */
  private afterExt(b: number, mayHaveValue: boolean): void {
    if (b === 0x3b) this.s = S.ExtName;
    else if (b === CR) this.s = S.SizeLf;
    else if (b === 0x3d && mayHaveValue) this.s = S.ExtValue;
    else throw this.fail('invalid chunk extension');
    this.sizeLine();
  }

  /** Trailer section bytes: field lines, then the final CRLF. */
  private trailer(b: number): void {
    if (++this.trailerBytes > this.maxTrailerBytes) throw this.fail('chunked trailers too large');
    const s = this.s;
    if (s === S.TrailerStart) {
      if (b === CR) this.s = S.FinalLf;
      else if (TOKEN[b] !== 1) throw this.fail('invalid trailer field');
      else {
        this.s = S.TrailerName;
        this.trailerName = lower(b);
      }
    } else if (s === S.TrailerName) {
      if (b === 0x3a) {
        if (FORBIDDEN_TRAILERS.has(this.trailerName)) throw this.fail('framing field in the trailers');
        this.s = S.TrailerValue;
      } else if (TOKEN[b] !== 1) throw this.fail('invalid trailer field name');
      else if (this.trailerName.length <= LONGEST_FORBIDDEN) this.trailerName += lower(b);
    } else if (s === S.TrailerValue) {
      if (b === CR) this.s = S.TrailerLf;
      else if (FIELD_VALUE[b] !== 1) throw this.fail('invalid trailer field value');
    } else {
      if (b !== LF) throw this.fail('expected LF in the trailer section');
      this.s = s === S.FinalLf ? S.Done : S.TrailerStart;
    }
  }
}
