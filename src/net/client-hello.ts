/**
 * @module net/client-hello
 * Reads the first TLS ClientHello of a CONNECT tunnel, incrementally and bounded, to learn its SNI
 * (and ALPN, and whether it carries Encrypted Client Hello) before any byte goes upstream. Handles a
 * ClientHello split across TCP reads and across TLS records (RFC 8446 §5.1). Never throws on input;
 * never copies a ClientHello that arrived in one read. Must not decide anything: the proxy compares
 * the SNI with the CONNECT host.
 */
import { NET_ERRORS, NetError } from './errors.js';

export type ClientHelloResult =
  | { readonly kind: 'need-more' }
  | { readonly kind: 'not-tls' }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'malformed'; readonly why: string }
  | {
      readonly kind: 'hello';
      /** host_name of server_name (RFC 6066 §3), lowercased, no trailing dot; null when absent. */
      readonly sni: string | null;
      /** encrypted_client_hello present: the real SNI is hidden, `sni` is only the public name. */
      readonly ech: boolean;
      readonly alpn: string[];
      /** Every byte pushed so far (the ClientHello and anything after it), to forward verbatim. */
      readonly bytes: Buffer;
    };

export interface ClientHelloReaderOptions {
  /** The most bytes to buffer while waiting for the whole ClientHello. */
  readonly maxBytes: number;
}

export interface ClientHelloReader {
  /** Add the next bytes read from the client. Once a result other than `need-more` is returned, it sticks. */
  push(chunk: Buffer): ClientHelloResult;
}

/** Enough for post-quantum key shares, ECH and session tickets; real ClientHellos are 0.5–3 KiB. */
export const DEFAULT_CLIENT_HELLO_MAX_BYTES = 32 * 1024;

const CONTENT_HANDSHAKE = 22; // RFC 8446 §5.1 ContentType.handshake
const HANDSHAKE_CLIENT_HELLO = 1; // RFC 8446 §4 HandshakeType.client_hello
const RECORD_HEADER = 5;
const MAX_RECORD_PAYLOAD = 16384; // 2^14, RFC 8446 §5.1
const EXT_SERVER_NAME = 0; // RFC 6066 §3
const EXT_ALPN = 16; // RFC 7301 §3.1
const EXT_ECH = 0xfe0d; // draft-ietf-tls-esni encrypted_client_hello
const MAX_SNI_LENGTH = 254; // 253 + an optional trailing dot

const EMPTY = Buffer.alloc(0);
const NEED_MORE: ClientHelloResult = Object.freeze({ kind: 'need-more' });
const NOT_TLS: ClientHelloResult = Object.freeze({ kind: 'not-tls' });
const TOO_LARGE: ClientHelloResult = Object.freeze({ kind: 'too-large' });

/** Internal signal for malformed input; caught in this module, never escapes. */
class Malformed extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/** A bounds-checked reader over `buf[pos, end)`. */
class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  take(n: number, what: string): number {
    if (this.pos + n > this.end) throw new Malformed(`${what} truncated`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(what: string): number {
    return this.buf[this.take(1, what)] ?? 0;
  }
  u16(what: string): number {
    return this.buf.readUInt16BE(this.take(2, what));
  }
  /** A vector with a 1- or 2-byte length prefix, as a cursor over its contents. */
  vector(prefix: 1 | 2, what: string): Cursor {
    const len = prefix === 1 ? this.u8(what) : this.u16(what);
    const at = this.take(len, what);
    return new Cursor(this.buf, at, at + len);
  }
  get left(): number {
    return this.end - this.pos;
  }
}

function isSniByte(c: number): boolean {
  // Letters, digits, '-', '.', '_': all a DNS host name (RFC 6066 §3: ASCII, no IP literals) needs.
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x5f
  );
}

function parseServerName(ext: Cursor): string {
  const list = ext.vector(2, 'server_name list');
  if (ext.left !== 0) throw new Malformed('bytes after the server_name list');
  if (list.left === 0) throw new Malformed('empty server_name list');
  let sni: string | null = null;
  while (list.left > 0) {
    if (list.u8('server_name type') !== 0) throw new Malformed('unknown server_name type');
    const name = list.vector(2, 'host_name');
    if (sni !== null) throw new Malformed('two host_name entries');
    if (name.left === 0 || name.left > MAX_SNI_LENGTH) throw new Malformed('host_name length');
    for (let i = name.pos; i < name.end; i++) {
      if (!isSniByte(name.buf[i] ?? 0))
        throw new Malformed('host_name has a byte not allowed in a host name');
    }
    sni = name.buf.toString('latin1', name.pos, name.end).toLowerCase();
    // Empty labels are checked before the one trailing dot is dropped, so `a..` cannot become `a.`.
    if (sni.includes('..')) throw new Malformed('empty label in server name');
    if (sni.endsWith('.')) sni = sni.slice(0, -1);
    if (sni === '' || sni.startsWith('.') || sni.includes('..'))
      throw new Malformed('host_name has an empty label');
  }
  return sni ?? '';
}

function parseAlpn(ext: Cursor): string[] {
  const list = ext.vector(2, 'ALPN list');
  if (ext.left !== 0) throw new Malformed('bytes after the ALPN list');
  if (list.left === 0) throw new Malformed('empty ALPN list');
  const out: string[] = [];
  while (list.left > 0) {
    const name = list.vector(1, 'ALPN protocol');
    if (name.left === 0) throw new Malformed('empty ALPN protocol');
    out.push(name.buf.toString('latin1', name.pos, name.end));
  }
  return out;
}

/** Parse a ClientHello body (RFC 8446 §4.1.2, also TLS 1.0–1.2 forms); `bytes` is passed through. */
function parseBody(body: Cursor, bytes: Buffer): ClientHelloResult {
  if (body.u16('legacy_version') >> 8 !== 3) throw new Malformed('legacy_version is not 3.x');
  body.take(32, 'random');
  if (body.vector(1, 'legacy_session_id').left > 32) throw new Malformed('legacy_session_id longer than 32');
  const suites = body.vector(2, 'cipher_suites').left;
  if (suites < 2 || suites % 2 !== 0) throw new Malformed('cipher_suites length');
  if (body.vector(1, 'compression_methods').left < 1) throw new Malformed('no compression_methods');
  const hello = {
    kind: 'hello' as const,
    sni: null as string | null,
    ech: false,
    alpn: [] as string[],
    bytes,
  };
  if (body.left === 0) return hello; // no extensions at all (TLS 1.2 allows it)
  const exts = body.vector(2, 'extensions');
  if (body.left !== 0) throw new Malformed('bytes after the extensions');
  const seen: number[] = [];
  while (exts.left > 0) {
    const type = exts.u16('extension type');
    const data = exts.vector(2, 'extension');
    // RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type".
    if (seen.includes(type)) throw new Malformed(`extension ${type} appears twice`);
    seen.push(type);
    if (type === EXT_SERVER_NAME) hello.sni = parseServerName(data);
    else if (type === EXT_ALPN) hello.alpn = parseAlpn(data);
    else if (type === EXT_ECH) hello.ech = true;
  }
  return hello;
}

/** Reader state over the bytes pushed so far: TLS records are walked once each, never re-read. */
class Reader implements ClientHelloReader {
  private buf: Buffer = EMPTY;
  private len = 0;
  private owned = false;
  private recordAt = 0;
  /** Handshake payload fragments as [start, end) offsets into `buf` (which may be reallocated). */
  private readonly frags: number[] = [];
  private hsHave = 0;
  private hsNeed = -1;
  private result: ClientHelloResult | null = null;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): ClientHelloResult {
    if (this.result !== null) return this.result;
    this.append(chunk);
    try {
      this.result = this.step();
    } catch (e: unknown) {
      if (!(e instanceof Malformed)) throw e;
      this.result = { kind: 'malformed', why: e.why };
    }
    return this.result ?? NEED_MORE;
  }

  private append(chunk: Buffer): void {
    if (this.len === 0) {
      this.buf = chunk; // the common case: the whole ClientHello in one read, never copied
      this.len = chunk.length;
      return;
    }
    const needed = this.len + chunk.length;
    if (!this.owned || needed > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.owned ? this.buf.length * 2 : needed * 2));
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
      this.owned = true;
    }
    chunk.copy(this.buf, this.len);
    this.len = needed;
  }

  /** Walk complete records within the first maxBytes bytes; a result, or null for need-more. */
  private step(): ClientHelloResult | null {
    const limit = Math.min(this.len, this.maxBytes);
    const buf = this.buf;
    for (;;) {
      const at = this.recordAt;
      if (at >= limit) break;
      // The first record decides whether this is TLS at all; later ones must continue the handshake.
      if (buf[at] !== CONTENT_HANDSHAKE) {
        if (at === 0) return NOT_TLS;
        throw new Malformed('a non-handshake record before the ClientHello ended');
      }
      if (at + 1 >= limit) break;
      if (buf[at + 1] !== 3) {
        if (at === 0) return NOT_TLS;
        throw new Malformed('record version is not 3.x');
      }
      if (at + RECORD_HEADER > limit) break;
      const size = buf.readUInt16BE(at + 3);
      // RFC 8446 §5.1: at most 2^14 bytes, and no zero-length handshake fragments.
      if (size === 0 || size > MAX_RECORD_PAYLOAD) throw new Malformed(`record length ${size}`);
      if (at + RECORD_HEADER + size > limit) break;
      this.frags.push(at + RECORD_HEADER, at + RECORD_HEADER + size);
      this.hsHave += size;
      this.recordAt = at + RECORD_HEADER + size;
      const done = this.afterRecord();
      if (done !== null) return done;
    }
    return this.len >= this.maxBytes ? TOO_LARGE : null;
  }

  private afterRecord(): ClientHelloResult | null {
    if (this.hsNeed < 0 && this.hsHave >= 4) {
      if (this.hsByte(0) !== HANDSHAKE_CLIENT_HELLO) {
        throw new Malformed('first handshake message is not a ClientHello');
      }
      this.hsNeed = 4 + ((this.hsByte(1) << 16) | (this.hsByte(2) << 8) | this.hsByte(3));
      if (this.hsNeed + RECORD_HEADER > this.maxBytes) return TOO_LARGE;
    }
    if (this.hsNeed < 0 || this.hsHave < this.hsNeed) return null;
    if (this.hsHave > this.hsNeed) throw new Malformed('more handshake data after the ClientHello');
    const hs = this.handshake();
    return parseBody(new Cursor(hs, 4, hs.length), this.buf.subarray(0, this.len));
  }

  /** Byte `i` of the reassembled handshake payload. */
  private hsByte(i: number): number {
    for (let f = 0; f < this.frags.length; f += 2) {
      const start = this.frags[f] ?? 0;
      const size = (this.frags[f + 1] ?? 0) - start;
      if (i < size) return this.buf[start + i] ?? 0;
      i -= size;
    }
    return 0;
  }

  /** The reassembled handshake message: a view when it came in one record, else one copy. */
  private handshake(): Buffer {
    const views: Buffer[] = [];
    for (let f = 0; f < this.frags.length; f += 2) {
      views.push(this.buf.subarray(this.frags[f], this.frags[f + 1]));
    }
    return views.length === 1 && views[0] !== undefined ? views[0] : Buffer.concat(views);
  }
}

/** Start reading a ClientHello. Throws `CORDON_NET_BAD_OPTION` unless maxBytes is a positive integer. */
export function createClientHelloReader(options: ClientHelloReaderOptions): ClientHelloReader {
  if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) {
    throw new NetError(NET_ERRORS.badOption, 'ClientHello maxBytes must be a positive integer');
  }
  return new Reader(options.maxBytes);
}

/** One-shot `createClientHelloReader(...).push(buf)`: `need-more` means the bytes end mid-ClientHello. */
export function parseClientHello(buf: Buffer, maxBytes = DEFAULT_CLIENT_HELLO_MAX_BYTES): ClientHelloResult {
  return createClientHelloReader({ maxBytes }).push(buf);
}
