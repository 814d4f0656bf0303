/**
 * @module proxy/fast/client
 * One client connection in the fast engine: parse request heads strictly (pipelined requests are
 * taken one at a time, in order), hand CONNECT to proxy/connect, refuse or forward plain HTTP via
 * the decision path shared with the node engine, and keep the connection alive between requests
 * with the same head and idle timeouts. Malformed input gets a status and the connection closes.
 */
import type { Socket } from 'node:net';
import { REASONS } from '../../policy/types.js';
import { ProxyError } from '../errors.js';
import { admitHttpRequest, type FinishPatch } from '../http-admission.js';
import type { Recorder, RecordBuilder } from '../recorder.js';
import { clientAddress } from '../records.js';
import { rawResponse, sendRaw, type CordonResponse } from '../respond.js';
import type { ProxyRuntime } from '../runtime.js';
import type { UpgradeRequest } from '../upgrade.js';
import { Exchange, type ClientSide, type ExchangeContext } from './exchange.js';
import { IdleWatch, type Sweepable } from './idle-sweep.js';
import { badRequest, RequestParser, type RequestHead } from './request-parser.js';

/** The CONNECT and upgrade paths shared with the node engine. */
export type HandOver = (req: UpgradeRequest, socket: Socket, head: Buffer) => void;

export interface EngineContext extends ExchangeContext {
  getRuntime(): ProxyRuntime;
  readonly recorder: Recorder;
  readonly connect: HandOver;
  readonly upgrade: HandOver;
  readonly conns: Set<ClientConnection>;
}

const enum St {
  Head,
  Body,
  Wait,
  Tunnel,
  Closed,
}

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
const EMPTY = Buffer.alloc(0);
// Stop parsing pipelined requests while this much of our own output waits for a slow reader.
const WRITE_HIGH_WATER = 64 * 1024;
// Bytes read ahead of the request being handled before we stop reading the client.
const PENDING_LIMIT = 64 * 1024;

/** The first value of a header (case-insensitive name), for the rare paths that need one. */
function headerValue(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]?.toLowerCase() === name) return raw[i + 1];
  return undefined;
}

export class ClientConnection implements ClientSide, Sweepable {
  private state = St.Head;
  private pending: Buffer | null = null;
  private exchange: Exchange | null = null;
  private readonly parser: RequestParser;
  private readonly client: string;
  private headStartedAt = 0;
  /** The socket's idle timeout, checked by the engine's sweep (idle-sweep.ts), not a timer of its own. */
  private readonly idle: IdleWatch;
  private ended = false;
  private readonly headersMs: number;
  private readonly idleMs: number;

  constructor(
    readonly socket: Socket,
    private readonly ctx: EngineContext,
  ) {
    const { limits, timeouts } = ctx.getRuntime().settings;
    this.parser = new RequestParser(limits);
    this.headersMs = timeouts.headersMs;
    this.idleMs = timeouts.idleMs;
    this.client = clientAddress(socket.remoteAddress);
    this.idle = new IdleWatch(socket);
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('drain', this.onDrain);
    // Like node:http's headersTimeout, the first head must arrive in time even if no byte does.
    this.idleTimeout(this.headersMs);
  }

  /** Set the idle timeout when it changes; bytes moving either way restart its count anyway. */
  private idleTimeout(ms: number): void {
    if (ms !== this.idle.ms) this.idle.set(ms, Date.now());
  }

  /** Called by the engine's sweep: acts on an idle timeout (only while waiting for a request head). */
  sweep(now: number): void {
    if (this.idle.expired(now)) this.onTimeout();
  }

  /** Between requests with nothing buffered: safe to close when draining. */
  closeIfIdle(): void {
    if (this.state === St.Head && this.pending === null && !this.parser.started) this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.state === St.Body && this.exchange?.wantsBody() === true) {
      this.exchange.onClientData(chunk);
      return;
    }
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.state === St.Head) this.drain();
    // A pipelined request, or body bytes before the upstream is ready: hold a little, then stop reading.
    else if (this.pending.length > PENDING_LIMIT) this.socket.pause();
  };

  /** Parse and start the requests buffered in `pending`, one at a time. */
  private drain(): void {
    while (this.state === St.Head && this.pending !== null) {
      if (this.socket.writableLength > WRITE_HIGH_WATER) return void this.socket.pause();
      const buf = this.pending;
      this.pending = null;
      let got: ReturnType<RequestParser['push']>;
      try {
        got = this.parser.push(buf);
      } catch (e: unknown) {
        return this.malformed(e);
      }
      if (got === null) return this.partialHead();
      if (got.next < buf.length) this.pending = buf.subarray(got.next);
      this.headStartedAt = 0;
      this.begin(got.head);
    }
  }

  private partialHead(): void {
    if (this.headStartedAt === 0) {
      this.headStartedAt = Date.now();
      this.idleTimeout(this.headersMs);
    } else if (Date.now() - this.headStartedAt > this.headersMs) {
      this.headTimeout();
    }
  }

  private begin(head: RequestHead): void {
    // Like llhttp, the bytes after a CONNECT or upgrade head belong to the new protocol: hand over.
    if (head.method === 'CONNECT') return this.handOver(head, this.ctx.connect);
    if (head.upgrade) return this.handOver(head, this.ctx.upgrade);
    const runtime = this.ctx.getRuntime();
    const r = this.ctx.recorder.startAt(this.client, head.method, 'http');
    const a = admitHttpRequest(runtime, r, head);
    if (!a.allowed) {
      // Cordon's own responses carry no `Connection: keep-alive`, so an HTTP/1.0 client gets a close.
      const close = !a.denial || head.body !== 'none' || !head.keepAlive || head.httpVersionMinor === 0;
      return this.refuse(r, a.response, a.finish, close);
    }
    // The idle timeout stays armed: it fires only after idleMs without a byte either way, and
    // onTimeout ignores it while a request is in progress (the upstream timeouts govern then).
    this.state = head.body === 'none' ? St.Wait : St.Body;
    if (head.expectContinue) this.socket.write(CONTINUE);
    this.exchange = new Exchange(this, this.ctx, runtime, r, head, a.target);
    this.exchange.start();
  }

  private refuse(r: RecordBuilder, response: CordonResponse, finish: FinishPatch, close: boolean): void {
    if (close) {
      this.state = St.Closed;
      sendRaw(this.socket, response);
    } else {
      this.socket.write(rawResponse(response, false));
      this.idleTimeout(this.idleMs);
    }
    r.finish(finish);
  }

  /**
   * Give the socket to the CONNECT or upgrade path; this connection reads nothing more and lets go
   * of it (the tracker still counts and drains the socket), so a long-lived tunnel holds no parser.
   */
  private handOver(head: RequestHead, to: HandOver): void {
    this.state = St.Tunnel;
    const s = this.socket;
    s.pause();
    s.removeListener('data', this.onData);
    s.removeListener('end', this.onEnd);
    s.removeListener('close', this.onClose);
    s.removeListener('drain', this.onDrain);
    this.ctx.conns.delete(this);
    const rest = this.pending ?? EMPTY;
    this.pending = null;
    // Built field by field: spreading the head into a literal with two more fields took V8's slow
    // object-clone path (three quarters of this method's own time per CONNECT).
    const req: UpgradeRequest = {
      method: head.method,
      url: head.url,
      rawHeaders: head.rawHeaders,
      httpVersionMajor: head.httpVersionMajor,
      httpVersionMinor: head.httpVersionMinor,
      headers: { upgrade: headerValue(head.rawHeaders, 'upgrade') },
      socket: s,
    };
    to(req, s, rest);
  }

  private malformed(e: unknown, status?: number): void {
    this.state = St.Closed;
    const code = status ?? (e instanceof ProxyError && e.status !== undefined ? e.status : 400);
    const why = e instanceof ProxyError ? e.message : 'parse error';
    this.ctx.logger.debug({ why }, 'malformed request');
    this.ctx.recorder.malformed(this.socket, code);
    sendRaw(
      this.socket,
      this.ctx.recorder.bareResponse(code, REASONS.badRequest, `malformed request (${why})`),
    );
  }

  private headTimeout(): void {
    this.malformed(badRequest('request head timeout', 408));
  }

  private readonly onTimeout = (): void => {
    if (this.state !== St.Head) return;
    if (this.parser.started || this.pending !== null) this.headTimeout();
    else this.socket.destroy();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    if (this.state === St.Head) {
      if (this.parser.started || this.pending !== null) this.malformed(badRequest('incomplete request head'));
      else {
        this.state = St.Closed;
        this.socket.end();
      }
    } else if (this.state === St.Body) {
      this.exchange?.fail(badRequest('client closed the connection'));
    }
  };

  private readonly onClose = (): void => {
    this.state = St.Closed;
    this.ctx.conns.delete(this);
    this.exchange?.fail(badRequest('client closed the connection'));
  };

  private readonly onDrain = (): void => {
    if (this.exchange !== null) this.exchange.onClientDrain();
    else if (this.state === St.Head) {
      this.socket.resume();
      this.drain();
    }
  };

  takePending(): Buffer | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }

  bodyDone(rest: Buffer | null): void {
    this.state = St.Wait;
    if (rest !== null) this.pending = this.pending === null ? rest : Buffer.concat([rest, this.pending]);
  }

  readBody(on: boolean): void {
    if (on && this.state === St.Body) this.socket.resume();
    else this.socket.pause();
  }

  exchangeDone(keepAlive: boolean): void {
    this.exchange = null;
    if (this.state === St.Closed) return;
    if (!keepAlive || this.ended) {
      this.state = St.Closed;
      this.socket.end();
      return;
    }
    this.state = St.Head;
    this.idleTimeout(this.idleMs);
    if (this.socket.isPaused()) this.socket.resume();
    this.drain();
  }

  exchangeFailed(response: CordonResponse | null): void {
    this.exchange = null;
    this.state = St.Closed;
    if (response !== null && this.socket.writable) sendRaw(this.socket, response);
    else this.socket.destroy();
  }
}
