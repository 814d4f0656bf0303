/**
 * @module proxy/fast/body
 * The non-chunked body readers: a Content-Length body (counted, handed on as views of the input)
 * and a close-delimited response body (everything until the upstream closes), optionally chunk-
 * encoded for an HTTP/1.1 client so its connection can stay open. Never buffers.
 */
import type { BodyReader, ByteSink } from './chunked.js';

export class LengthReader implements BodyReader {
  payloadBytes = 0;

  constructor(private remaining: number) {}

  get done(): boolean {
    return this.remaining === 0;
  }

  feed(buf: Buffer, start: number, sink: ByteSink): number {
    const n = Math.min(this.remaining, buf.length - start);
    if (n === 0) return start;
    sink.push(start === 0 && n === buf.length ? buf : buf.subarray(start, start + n));
    this.remaining -= n;
    this.payloadBytes += n;
    return start + n;
  }
}

const CRLF = Buffer.from('\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/** Everything until the upstream closes; `end()` marks it done. */
export class CloseReader implements BodyReader {
  payloadBytes = 0;
  private ended = false;

  constructor(private readonly chunkEncode: boolean) {}

  get done(): boolean {
    return this.ended;
  }

  feed(buf: Buffer, start: number, sink: ByteSink): number {
    const n = buf.length - start;
    if (n === 0 || this.ended) return start;
    const bytes = start === 0 ? buf : buf.subarray(start);
    if (this.chunkEncode) {
      sink.push(Buffer.from(`${n.toString(16)}\r\n`, 'latin1'));
      sink.push(bytes);
      sink.push(CRLF);
    } else sink.push(bytes);
    this.payloadBytes += n;
    return buf.length;
  }

  /** The upstream closed: the body is complete. */
  end(sink: ByteSink): void {
    if (this.ended) return;
    this.ended = true;
    if (this.chunkEncode) sink.push(LAST_CHUNK);
  }
}

/** A body of zero bytes. */
export const NO_BODY: BodyReader = {
  done: true,
  payloadBytes: 0,
  feed: (_buf, start) => start,
};
