/**
 * @module proxy/fast/exchange
 * One allowed plain-HTTP request in the fast engine, from the decision to the last response byte:
 * resolve and check, take a pooled connection to the checked address (or dial one), send the
 * re-serialised head and the body as validated bytes, parse the response strictly and relay it with
 * backpressure both ways, then finish the record and hand the client connection back. A pooled
 * connection that turns out closed before any response byte is retried once on a fresh one when the
 * request has no body. Knows nothing about policy rules.
 */
import type { Socket } from 'node:net';
import { checkedNow, resolveChecked, type CheckedAddress } from '../dial.js';
import { readResult, type ReadResult } from '../read-buffer.js';
import { PROXY_ERRORS, ProxyError } from '../errors.js';
import { forwardFailure } from '../http-admission.js';
import type { RecordBuilder, TrafficFigures } from '../recorder.js';
import type { AbsoluteTarget } from '../request-target.js';
import type { CordonResponse } from '../respond.js';
import type { ProxyRuntime } from '../runtime.js';
import type { ProxyLogger } from '../server.js';
import { NO_BODY, CloseReader, LengthReader } from './body.js';
import { clientFraming, ResponseWriter, type WriterOwner } from './response-writer.js';
import { ChunkedReader, type BodyReader, type ByteSink } from './chunked.js';
import type { UpstreamConn, UpstreamPool, UpstreamUser } from './pool.js';
import { badRequest, type RequestHead } from './request-parser.js';
import { badResponse, type ResponseHead } from './response-parser.js';
import { writeLater } from '../flush-later.js';
import { upstreamRequestHead } from './serialize.js';

/** The client connection, as an exchange sees it. */
export interface ClientSide {
  readonly socket: Socket;
  /** Bytes already read past the request head (body, maybe a pipelined request), handed over. */
  takePending(): Buffer | null;
  /** The request body is complete; `rest` are bytes after it. */
  bodyDone(rest: Buffer | null): void;
  /** Read (true) or stop reading (false) more request body. */
  readBody(on: boolean): void;
  /** The exchange ended with a complete response. */
  exchangeDone(keepAlive: boolean): void;
  /** The exchange failed: answer `response` and close, or just close when a response was started. */
  exchangeFailed(response: CordonResponse | null): void;
}

export interface ExchangeContext {
  readonly pool: UpstreamPool;
  readonly logger: ProxyLogger;
}

const ROUND = (ms: number): number => Math.round(ms * 1000) / 1000;

function onHeadersTimeout(ex: Exchange): void {
  ex.fail(new ProxyError(PROXY_ERRORS.upstreamTimeout, 'no response from the upstream in time'));
}

/** Also the sink of the request body (`push`) and the response writer's owner: no closures per request. */
export class Exchange implements UpstreamUser, ByteSink, WriterOwner {
  private readonly out: TrafficFigures = {
    resolved: null,
    dnsMs: null,
    connectMs: null,
    bytesUp: 0,
    bytesDown: 0,
  };
  private address = '';
  private up: UpstreamConn | null = null;
  private reused = false;
  private retried = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly reqBody: BodyReader;
  private reqDone: boolean;
  private res: ResponseHead | null = null;
  private resBody: BodyReader = NO_BODY;
  private gotBytes = false;
  private sentHead = false;
  private keepClient = false;
  private finished = false;
  private readonly writer: ResponseWriter;

  constructor(
    private readonly client: ClientSide,
    private readonly ctx: ExchangeContext,
    private readonly runtime: ProxyRuntime,
    private readonly r: RecordBuilder,
    private readonly head: RequestHead,
    private readonly target: AbsoluteTarget,
  ) {
    const limit = runtime.settings.limits.maxHeaderBytes;
    this.reqBody =
      head.body === 'chunked'
        ? new ChunkedReader(true, limit, badRequest)
        : head.body === 'length'
          ? new LengthReader(head.length)
          : NO_BODY;
    this.reqDone = head.body === 'none';
    this.writer = new ResponseWriter(client.socket, this);
  }

  start(): void {
    let now: CheckedAddress | null;
    try {
      now = checkedNow(this.runtime, this.target.host, this.target.isIp);
    } catch (e: unknown) {
      return this.fail(e);
    }
    if (now !== null) return this.resolved(now);
    resolveChecked(this.runtime, this.target.host, this.target.isIp).then(
      (c) => this.resolved(c),
      (e: unknown) => this.fail(e),
    );
  }

  private resolved(c: CheckedAddress): void {
    if (this.finished) return;
    this.out.resolved = c.address;
    this.out.dnsMs = c.dnsMs;
    this.address = c.address;
    const t = this.runtime.settings.timeouts;
    this.timer = setTimeout(onHeadersTimeout, t.connectMs + t.upstreamHeadersMs, this);
    this.acquire();
  }

  private acquire(): void {
    const key = `${this.address}:${this.target.port}`;
    const pooled = this.ctx.pool.take(key);
    if (pooled !== null) {
      this.out.connectMs = 0;
      return this.attach(pooled, true);
    }
    const t0 = performance.now();
    this.ctx.pool.dial(key, this.address, this.target.port, this.runtime.settings.timeouts.connectMs).then(
      (up) => {
        if (this.finished) return void up.socket.destroy();
        this.out.connectMs = ROUND(performance.now() - t0);
        this.attach(up, false);
      },
      (e: unknown) => this.fail(e),
    );
  }

  private attach(up: UpstreamConn, reused: boolean): void {
    this.up = up;
    this.reused = reused;
    up.user = this;
    up.parser.reset();
    up.parser.headRequest = this.head.method === 'HEAD';
    const s = up.socket;
    const head = upstreamRequestHead(this.head, this.target);
    if (this.reqDone) return writeLater(s, head);
    s.cork();
    s.write(head, 'latin1');
    const pending = this.client.takePending();
    if (pending !== null) this.onClientData(pending);
    if (!this.reqDone) this.client.readBody(true);
    s.uncork();
  }

  /** Whether request body bytes can be taken now (the upstream is attached and wants more). */
  wantsBody(): boolean {
    return this.up !== null && !this.reqDone && !this.finished;
  }

  /** Request body bytes from the client. */
  onClientData(chunk: Buffer): void {
    if (this.finished || this.reqDone || this.up === null) return;
    let end: number;
    try {
      end = this.reqBody.feed(chunk, 0, this);
    } catch (e: unknown) {
      return this.fail(e);
    }
    if (this.reqBody.done) {
      this.reqDone = true;
      this.client.bodyDone(end < chunk.length ? chunk.subarray(end) : null);
    }
  }

  /** Request body bytes, validated, for the upstream (the body reader's sink). */
  push(b: Buffer): void {
    if (this.up !== null && !this.up.socket.write(b)) this.client.readBody(false);
  }

  /** The client reads slower than the upstream sends: stop reading the upstream until it drains. */
  onClientFull(): void {
    this.up?.socket.pause();
  }

  onUpstreamDrain(): void {
    if (!this.reqDone && !this.finished) this.client.readBody(true);
  }

  onClientDrain(): void {
    this.up?.socket.resume();
  }

  onUpstreamData(chunk: Buffer, owned: boolean): ReadResult {
    const s = this.client.socket;
    if (this.finished) return readResult(false, false);
    this.gotBytes = true;
    this.writer.borrowed = !owned;
    this.writer.beginBatch();
    try {
      let i = 0;
      if (this.res === null) {
        i = this.readHead(chunk);
        if (i < 0) return readResult(false, false);
      }
      const end = this.resBody.feed(chunk, i, this.writer);
      this.writer.flush();
      if (this.resBody.done) {
        // Bytes after a complete response: the upstream is confused or hostile; never reuse it.
        if (end < chunk.length) this.res = { ...(this.res as ResponseHead), keepAlive: false };
        // Out before the client connection moves on (it may end, or answer a pipelined request).
        this.writer.endBatch();
        this.complete();
      }
    } catch (e: unknown) {
      this.fail(e);
    } finally {
      this.writer.endBatch();
    }
    // A write the kernel did not take whole still points into `chunk` if it was written as it is.
    return readResult(owned && s.writableLength > 0, false);
  }

  /** Parse the response head (skipping 1xx); returns where the body starts, or -1 for more bytes. */
  private readHead(chunk: Buffer): number {
    const parser = (this.up as UpstreamConn).parser;
    let from = 0;
    for (;;) {
      const got = parser.push(chunk, from);
      if (got === null) return -1;
      from = got.next;
      if (got.head.status >= 200) {
        this.startResponse(got.head);
        return from;
      }
      // Interim responses are dropped (we answer 100-continue ourselves); 101 was never asked for.
      if (got.head.status === 101) throw badResponse('unexpected 101 Switching Protocols');
    }
  }

  private startResponse(res: ResponseHead): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.res = res;
    const limit = this.runtime.settings.limits.maxHeaderBytes;
    const framing = clientFraming(res, this.head, this.reqDone, limit);
    this.resBody = framing.reader;
    this.keepClient = framing.keepAlive;
    this.writer.start(framing.head);
    this.sentHead = true;
  }

  onUpstreamEnd(): void {
    if (this.finished) return;
    if (this.resBody instanceof CloseReader) {
      this.resBody.end(this.writer);
      return this.complete();
    }
    this.fail(new ProxyError(PROXY_ERRORS.upstreamClosed, 'the upstream closed the connection early'));
  }

  onUpstreamError(e: Error): void {
    this.fail(e);
  }

  private complete(): void {
    this.finished = true;
    const up = this.up as UpstreamConn;
    const res = this.res as ResponseHead;
    up.user = null;
    // It may have been paused for a slow client; an idle connection must be read (to see it close).
    up.socket.resume();
    if (res.keepAlive && this.reqDone) this.ctx.pool.release(up);
    else up.socket.destroy();
    this.up = null;
    this.record();
    this.r.finish({ status: res.status });
    this.client.exchangeDone(this.keepClient);
  }

  private record(): void {
    this.out.bytesUp = this.reqBody.payloadBytes;
    this.out.bytesDown = this.resBody.payloadBytes;
    this.r.traffic(this.out);
  }

  /** A stale pooled connection: closed before answering a request that can be sent again. */
  private retryable(e: unknown): boolean {
    if (!this.reused || this.retried || this.gotBytes || this.head.body !== 'none') return false;
    const code = (e as { code?: unknown } | null)?.code;
    return code === PROXY_ERRORS.upstreamClosed || code === 'ECONNRESET' || code === 'EPIPE';
  }

  /** End the exchange with an error (also when the client went away). */
  fail(e: unknown): void {
    if (this.finished) return;
    if (this.up !== null) {
      this.up.user = null;
      this.up.socket.destroy();
      this.up = null;
    }
    if (this.retryable(e)) {
      this.retried = true;
      return this.acquire();
    }
    this.finished = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.record();
    const failure = forwardFailure(e, this.r, this.runtime.settings.denyMessage, this.ctx.logger);
    this.client.exchangeFailed(this.sentHead ? null : failure.response);
    this.r.finish(failure.finish);
  }
}
