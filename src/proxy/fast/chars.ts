/**
 * @module proxy/fast/chars
 * Byte classes of HTTP/1.1 (RFC 9110 §5.6.2 tokens, §5.5 field values; RFC 9112 §3.2 request
 * targets) as lookup tables, shared by the fast engine's parsers. Pure data.
 */

export const CR = 13;
export const LF = 10;
export const SP = 32;
export const HTAB = 9;
export const COLON = 58;

function table(pred: (b: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = pred(b) ? 1 : 0;
  return t;
}

const TOKEN_SPECIALS = "!#$%&'*+-.^_`|~";

/** tchar: ALPHA / DIGIT / one of !#$%&'*+-.^_`|~ */
export const TOKEN = table(
  (b) =>
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    TOKEN_SPECIALS.includes(String.fromCharCode(b)),
);

/** field-vchar plus SP and HTAB: VCHAR / obs-text / SP / HTAB. No CTL, no DEL. */
export const FIELD_VALUE = table((b) => b === SP || b === HTAB || (b >= 0x21 && b <= 0x7e) || b >= 0x80);

/**
 * Request-target bytes: visible ASCII only. Stricter than llhttp, which also takes bytes ≥ 0x80;
 * a URI is ASCII (RFC 3986 §2), so anything else is a client bug or an attempt at a parser mismatch.
 */
export const TARGET = table((b) => b >= 0x21 && b <= 0x7e);

/** ALPHA, for URI schemes (llhttp takes letters only there). */
export const ALPHA = table((b) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a));

/** Authority bytes (RFC 3986 §3.2): unreserved, sub-delims, `:`, `[`, `]`, `%`. No `@`: no userinfo. */
export const AUTHORITY = table(
  (b) =>
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    "-._~!$&'()*+,;=:[]%".includes(String.fromCharCode(b)),
);

/** Reason phrase: HTAB / SP / VCHAR / obs-text (RFC 9112 §4). */
export const REASON_PHRASE = FIELD_VALUE;

/** Chunk-extension quoted-string text: qdtext (no `"` or `\`) (RFC 9110 §5.6.4). */
export const QDTEXT = table(
  (b) =>
    b === HTAB || b === SP || b === 0x21 || (b >= 0x23 && b <= 0x5b) || (b >= 0x5d && b <= 0x7e) || b >= 0x80,
);

/** After a backslash in a quoted-string: HTAB / SP / VCHAR / obs-text. */
export const QUOTED_PAIR = FIELD_VALUE;

/** Value of a hex digit, or -1. */
export const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 10; d++) HEX[0x30 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[0x41 + d] = 10 + d;
  HEX[0x61 + d] = 10 + d;
}

/** True when every byte of `buf[start, end)` is in `t`. */
export function allIn(t: Uint8Array, buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (t[buf[i] as number] !== 1) return false;
  return true;
}

/** `HTTP/1.` as bytes: the start of a status line and the end of a request line (minor version next). */
export const HTTP_1_DOT: readonly number[] = [...Buffer.from('HTTP/1.')];

/** Whether `buf` holds `bytes` at `at`. Compared here: `Buffer#compare` is a call into C++. */
export function bytesAt(buf: Buffer, at: number, bytes: readonly number[]): boolean {
  for (let k = 0; k < bytes.length; k++) if (buf[at + k] !== bytes[k]) return false;
  return true;
}

/** Lines of a head are short: up to this many bytes are searched here before asking C++ (memchr). */
const SCAN_HERE = 64;

/**
 * The index of the first `byte` in `buf[from, end)`, or -1. Searched in JavaScript first, since most
 * head lines end within a few dozen bytes and `Buffer#indexOf` is a call into C++ each time.
 */
export function indexOfByte(buf: Buffer, byte: number, from: number, end: number): number {
  const stop = Math.min(end, from + SCAN_HERE);
  for (let i = from; i < stop; i++) if (buf[i] === byte) return i;
  if (stop === end) return -1;
  const i = buf.indexOf(byte, stop);
  return i === -1 || i >= end ? -1 : i;
}
