/**
 * @module proxy/fast/head-scanner
 * Incremental, strict line splitting of one HTTP/1.1 message head (RFC 9112 §2.2): lines end in
 * CRLF only (a bare LF or a bare CR is an error, never a line end), the head ends at the first empty
 * line, and the whole head is bounded in bytes. Subclasses interpret the lines. Keeps only the bytes
 * of an unfinished line between pushes.
 */
import { CR, LF, indexOfByte } from './chars.js';
import type { ProxyError } from '../errors.js';

export abstract class HeadScanner<Head> {
  private partial: Buffer | null = null;
  /** Bytes of complete lines so far, CRLFs included. */
  private total = 0;
  private lines = 0;

  protected constructor(private readonly maxBytes: number) {}

  /** A complete line `buf[start, end)` (CRLF excluded); `index` 0 is the start line. Throws coded errors. */
  protected abstract line(buf: Buffer, start: number, end: number, index: number): void;
  /** The empty line was reached: validate and return the head, then get ready for the next message. */
  protected abstract complete(): Head;
  /** The error for a syntax problem. */
  protected abstract fail(why: string): ProxyError;
  /** The error for a head over `maxBytes`. */
  protected abstract tooLarge(): ProxyError;

  /** True when some bytes of a head have arrived but not all of it. */
  get started(): boolean {
    return this.partial !== null || this.lines > 0;
  }

  /**
   * Feed bytes from `chunk[from]` on. Returns `{ head, next }` (`next` is the offset in `chunk` just
   * after the head) once the head is complete, or null when more bytes are needed.
   */
  push(chunk: Buffer, from = 0): { head: Head; next: number } | null {
    let buf = chunk;
    let pos = from;
    // Offset in `chunk` of a position in `buf` (they differ once a partial line is prepended).
    let shift = 0;
    if (this.partial !== null) {
      buf = Buffer.concat([this.partial, chunk.subarray(from)]);
      shift = from - this.partial.length;
      pos = 0;
      this.partial = null;
    }
    const len = buf.length;
    for (;;) {
      const lf = indexOfByte(buf, LF, pos, len);
      if (lf === -1) break;
      if (lf === pos || buf[lf - 1] !== CR) throw this.fail('bare LF in the message head');
      this.total += lf + 1 - pos;
      if (this.total > this.maxBytes) throw this.tooLarge();
      if (lf - 1 === pos) {
        if (this.lines === 0) throw this.fail('empty line before the start line');
        const head = this.complete();
        this.reset();
        return { head, next: lf + 1 + shift };
      }
      this.line(buf, pos, lf - 1, this.lines++);
      pos = lf + 1;
    }
    if (pos < len) {
      if (this.total + (len - pos) > this.maxBytes) throw this.tooLarge();
      const cr = buf.indexOf(CR, pos);
      if (cr !== -1 && cr < len - 1) throw this.fail('bare CR in the message head');
      this.partial = Buffer.from(buf.subarray(pos));
    }
    return null;
  }

  /** Forget any partial head (after an error, or before reuse). */
  reset(): void {
    this.partial = null;
    this.total = 0;
    this.lines = 0;
  }
}
