/**
 * @module proxy/fast/response-writer
 * The client side of a forwarded response: how it is framed for this client (RFC 9112 §6.3; a
 * chunked or close-delimited upstream body is chunked for HTTP/1.1 and close-delimited for HTTP/1.0,
 * as node:http does) and the writes, with the head and the first body bytes in one write, the
 * writes of one upstream read in one system call, and the upstream paused while the client is slow.
 * Does not parse.
 */
import type { Socket } from 'node:net';
import { CloseReader, LengthReader, NO_BODY } from './body.js';
import { ChunkedReader, type BodyReader, type ByteSink } from './chunked.js';
import type { RequestHead } from './request-parser.js';
import { badResponse, type ResponseHead } from './response-parser.js';
import { clientResponseHead } from './serialize.js';

export interface ClientFraming {
  readonly reader: BodyReader;
  /** The response head to write, framing and connection headers included. */
  readonly head: string;
  /** The client connection can carry another request after this response. */
  readonly keepAlive: boolean;
}

const CHUNKED = 'Transfer-Encoding: chunked\r\n';

/** Choose the body reader and head for `res` as an answer to `req` (`reqDone`: its body was all read). */
export function clientFraming(
  res: ResponseHead,
  req: RequestHead,
  reqDone: boolean,
  maxTrailerBytes: number,
): ClientFraming {
  const http11 = req.httpVersionMinor === 1;
  let keep = req.keepAlive && reqDone;
  let reader: BodyReader = NO_BODY;
  let framing = '';
  switch (res.body) {
    case 'none':
      break;
    case 'length':
      reader = new LengthReader(res.length);
      break;
    case 'chunked':
      reader = new ChunkedReader(http11, maxTrailerBytes, badResponse);
      if (http11) framing = CHUNKED;
      else keep = false;
      break;
    case 'close':
      reader = new CloseReader(http11);
      if (http11) framing = CHUNKED;
      else keep = false;
      break;
  }
  const connection = !keep ? 'Connection: close\r\n' : http11 ? '' : 'Connection: keep-alive\r\n';
  return { reader, head: clientResponseHead(res, framing + connection), keepAlive: keep };
}

// Below this, the head and the first body bytes are copied into one buffer: one write, no writev.
const MERGE_LIMIT = 16 * 1024;

/** Who writes through a ResponseWriter: told when the client socket wants it to wait. */
export interface WriterOwner {
  onClientFull(): void;
}

/** Writes one response to the client socket; `owner.onClientFull()` when the socket wants us to wait. */
export class ResponseWriter implements ByteSink {
  private head: string | null = null;
  /** The bytes pushed now are in a shared read buffer: copy what is written (see read-buffer.ts). */
  borrowed = false;
  private batching = false;
  /** In a batch, the first write waits here: alone, it goes out as it is, without corking. */
  private waiting: Buffer | string | null = null;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly owner: WriterOwner,
  ) {}

  /** The head goes out with the first body bytes, or at `flush()`. */
  start(head: string): void {
    this.head = head;
  }

  push(b: Buffer): void {
    const head = this.head;
    if (head === null) return this.out(this.kept(b));
    this.head = null;
    if (b.length <= MERGE_LIMIT) {
      const out = Buffer.allocUnsafe(head.length + b.length);
      out.write(head, 0, 'latin1');
      b.copy(out, head.length);
      this.out(out);
    } else {
      this.out(head);
      this.out(this.kept(b));
    }
  }

  /** `b` as a write may keep it: copied out of a shared read buffer. */
  private kept(b: Buffer): Buffer {
    return this.borrowed ? Buffer.from(b) : b;
  }

  /** Write a head still waiting for body bytes. */
  flush(): void {
    const head = this.head;
    if (head === null) return;
    this.head = null;
    this.out(head);
  }

  /** Writes from here to `endBatch()` (one upstream read's) reach the socket in one system call. */
  beginBatch(): void {
    this.batching = true;
  }

  /** Send what the batch wrote; safe to call again. */
  endBatch(): void {
    this.batching = false;
    const w = this.waiting;
    this.waiting = null;
    if (w !== null) this.send(w);
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
  }

  private out(b: Buffer | string): void {
    if (!this.batching) return this.send(b);
    if (this.waiting === null && !this.corked) {
      this.waiting = b;
      return;
    }
    // A second write in one batch: cork, so that both go out in one writev.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
    const w = this.waiting;
    this.waiting = null;
    if (w !== null) this.send(w);
    this.send(b);
  }

  private send(b: Buffer | string): void {
    // The exchange failed and closed the client while this batch was open: nothing to send to.
    if (this.socket.destroyed) return;
    const ok = typeof b === 'string' ? this.socket.write(b, 'latin1') : this.socket.write(b);
    if (!ok) this.owner.onClientFull();
  }
}
