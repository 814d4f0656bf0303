/**
 * @module test/proxy/fast-oracle
 * Two readers of the same raw bytes, for the differential and fuzz tests of the fast engine's
 * parser: a real node:http server (llhttp, `insecureHTTPParser: false`) reached over a loopback
 * socket, and the fast engine's request parser with its body readers. Each returns whether the
 * whole input was accepted and, if so, the requests it read.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { LengthReader } from '../../src/proxy/fast/body.js';
import { ChunkedReader, type BodyReader } from '../../src/proxy/fast/chunked.js';
import { badRequest, RequestParser, type RequestLimits } from '../../src/proxy/fast/request-parser.js';
import { ProxyError } from '../../src/proxy/errors.js';

export interface ParsedRequest {
  method: string;
  url: string;
  version: string;
  rawHeaders: string[];
  body: string;
}

export interface Verdict {
  ok: boolean;
  /** Why it was refused (llhttp's code, or the fast parser's message). */
  error: string | null;
  requests: ParsedRequest[];
}

export const LIMITS: RequestLimits = { maxHeaderBytes: 32768, maxUrlLength: 8192, maxHeaders: 100 };

export interface NodeOracle {
  verdict(bytes: Buffer): Promise<Verdict>;
  close(): Promise<void>;
}

/** A node:http server as strict as the node engine's, reporting what it accepted from one connection. */
export async function startNodeOracle(): Promise<NodeOracle> {
  const server = createServer({
    insecureHTTPParser: false,
    maxHeaderSize: LIMITS.maxHeaderBytes,
    joinDuplicateHeaders: false,
  });
  let cur: { requests: (ParsedRequest & { done: boolean })[]; error: string | null } = {
    requests: [],
    error: null,
  };
  const note = (req: IncomingMessage, done: boolean) => {
    const rec = {
      method: req.method ?? '',
      url: req.url ?? '',
      version: req.httpVersion,
      rawHeaders: req.rawHeaders,
      body: '',
      done,
    };
    cur.requests.push(rec);
    return rec;
  };
  server.on('request', (req: IncomingMessage, res) => {
    const rec = note(req, false);
    const state = cur;
    req.on('data', (c: Buffer) => (rec.body += c.toString('latin1')));
    req.on('end', () => {
      rec.done = true;
      res.end('ok');
    });
    req.on('error', (e: NodeJS.ErrnoException) => (state.error ??= `request: ${e.code ?? e.message}`));
  });
  server.on('connect', (req: IncomingMessage, socket) => {
    note(req, true);
    socket.destroy();
  });
  server.on('upgrade', (req: IncomingMessage, socket) => {
    note(req, true);
    socket.destroy();
  });
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    cur.error ??= e.code ?? e.message;
    socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    async verdict(bytes) {
      cur = { requests: [], error: null };
      const state = cur;
      await new Promise<void>((resolve) => {
        const s = connect(port, '127.0.0.1');
        const timer = setTimeout(() => s.destroy(), 3000);
        s.on('data', () => undefined);
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
        s.end(bytes);
      });
      // A status answered without a request event (400 missing Host, 417) counts as a refusal.
      const complete = state.requests.length > 0 && state.requests.every((r) => r.done);
      const ok = state.error === null && complete;
      return {
        ok,
        error: ok ? null : (state.error ?? 'no complete request'),
        requests: state.requests.map(({ done: _done, ...r }) => r),
      };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Feed `bytes` to the fast parser in pieces of `split` bytes (all at once by default), then EOF. */
export function fastVerdict(bytes: Buffer, split = bytes.length || 1, limits = LIMITS): Verdict {
  const parser = new RequestParser(limits);
  const requests: ParsedRequest[] = [];
  let body: BodyReader | null = null;
  let cur: ParsedRequest | null = null;
  let tunnel = false;
  let closing = false;
  const sink = { push: (b: Buffer) => cur !== null && (cur.body += b.toString('latin1')) };
  try {
    for (let at = 0; at < bytes.length && !tunnel; at += split) {
      const piece = bytes.subarray(at, at + split);
      let i = 0;
      while (i < piece.length && !tunnel) {
        // Like llhttp: bytes after a request that ends the connection are an error.
        if (closing && body === null) throw badRequest('data after the last request of the connection');
        if (body === null) {
          const got = parser.push(piece, i);
          if (got === null) break;
          i = got.next;
          const h = got.head;
          cur = {
            method: h.method,
            url: h.url,
            version: `1.${h.httpVersionMinor}`,
            rawHeaders: h.rawHeaders,
            body: '',
          };
          requests.push(cur);
          // Like llhttp, everything after a CONNECT or upgrade head belongs to the new protocol.
          tunnel = h.method === 'CONNECT' || h.upgrade;
          closing = !h.keepAlive;
          if (tunnel) break;
          body =
            h.body === 'chunked'
              ? new ChunkedReader(false, limits.maxHeaderBytes, badRequest)
              : new LengthReader(h.length);
        }
        i = body.feed(piece, i, sink);
        if (body.done) body = null;
      }
    }
    if (parser.started) throw badRequest('incomplete head at end of input');
    if (body !== null && !body.done) throw badRequest('incomplete body at end of input');
    if (requests.length === 0) throw badRequest('no request');
    return { ok: true, error: null, requests };
  } catch (e: unknown) {
    if (!(e instanceof ProxyError)) throw e;
    return { ok: false, error: `${e.status ?? ''} ${e.message}`, requests };
  }
}
