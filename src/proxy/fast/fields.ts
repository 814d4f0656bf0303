/**
 * @module proxy/fast/fields
 * One header field line, strictly (RFC 9110 §5.1, §5.5; RFC 9112 §5): a token name, a colon with no
 * whitespace before it, optional whitespace, a value without control characters (HTAB aside). An
 * obs-fold line starts with whitespace and so fails as an invalid name. Also notes what the framing
 * and connection handling need (Content-Length, Transfer-Encoding, Host, Connection, Upgrade, Expect).
 */
import { COLON, FIELD_VALUE, HTAB, SP, TOKEN } from './chars.js';

/** What the fields of one head say about framing and the connection. */
export interface FieldNotes {
  /** Content-Length value, or -1 when absent. */
  contentLength: number;
  lengths: number;
  encodings: number;
  /** The (single) Transfer-Encoding value is exactly `chunked`. */
  chunked: boolean;
  hosts: number;
  close: boolean;
  keepAlive: boolean;
  /** `Connection` (or `Proxy-Connection`) names `upgrade`. */
  upgradeToken: boolean;
  /** A non-empty `Upgrade` header is present. */
  upgrade: boolean;
  /** The Expect value, lowercased, or null. */
  expect: string | null;
}

export function blankNotes(): FieldNotes {
  return {
    contentLength: -1,
    lengths: 0,
    encodings: 0,
    chunked: false,
    hosts: 0,
    close: false,
    keepAlive: false,
    upgradeToken: false,
    upgrade: false,
    expect: null,
  };
}

// Digits only (no sign, no list, no whitespace); 15 digits keep the value an exact integer.
const CONTENT_LENGTH = /^[0-9]{1,15}$/;

function noteConnectionToken(notes: FieldNotes, part: string): void {
  const t = part.trim().toLowerCase();
  if (t === 'close') notes.close = true;
  else if (t === 'keep-alive') notes.keepAlive = true;
  else if (t === 'upgrade') notes.upgradeToken = true;
}

function noteConnection(notes: FieldNotes, value: string): void {
  // Most values are one token (`keep-alive`, `close`): no list to split.
  if (!value.includes(',')) return noteConnectionToken(notes, value);
  for (const part of value.split(',')) noteConnectionToken(notes, part);
}

/**
 * Record what a field means for framing; returns an error text, or null. `tab` says whether the
 * whitespace around the value held an HTAB: llhttp refuses a trailing one in Content-Length and
 * Transfer-Encoding, and we refuse any there.
 */
function note(notes: FieldNotes, name: string, value: string, tab: boolean): string | null {
  // Only these lengths can be interesting: skip lowercasing everything else.
  switch (name.length) {
    case 4:
      if (name.toLowerCase() === 'host') notes.hosts++;
      return null;
    case 6:
      if (name.toLowerCase() === 'expect') notes.expect = value.toLowerCase();
      return null;
    case 7:
      // llhttp only upgrades on a non-empty Upgrade value.
      if (value !== '' && name.toLowerCase() === 'upgrade') notes.upgrade = true;
      return null;
    case 10:
      if (name.toLowerCase() === 'connection') noteConnection(notes, value);
      return null;
    case 16:
      // llhttp reads the legacy Proxy-Connection exactly like Connection; so must we, to agree on
      // where a connection ends.
      if (name.toLowerCase() === 'proxy-connection') noteConnection(notes, value);
      return null;
    case 14:
      if (name.toLowerCase() !== 'content-length') return null;
      if (++notes.lengths > 1) return 'duplicate Content-Length';
      if (tab || !CONTENT_LENGTH.test(value)) return 'invalid Content-Length';
      notes.contentLength = Number(value);
      return null;
    case 17:
      if (name.toLowerCase() !== 'transfer-encoding') return null;
      if (++notes.encodings > 1) return 'duplicate Transfer-Encoding';
      if (tab) return 'invalid Transfer-Encoding';
      notes.chunked = value.toLowerCase() === 'chunked';
      return null;
    default:
      return null;
  }
}

function hasTab(buf: Buffer, a: number, b: number, c: number, d: number): boolean {
  for (let j = a; j < b; j++) if (buf[j] === HTAB) return true;
  for (let j = c; j < d; j++) if (buf[j] === HTAB) return true;
  return false;
}

/**
 * Parse the field line `buf[start, end)` (CRLF excluded), append name and trimmed value to `raw`
 * (the `rawHeaders` layout) and note it. Returns an error text, or null.
 */
export function parseField(
  buf: Buffer,
  start: number,
  end: number,
  raw: string[],
  notes: FieldNotes,
): string | null {
  let i = start;
  while (i < end && TOKEN[buf[i] as number] === 1) i++;
  if (i === start) return 'invalid header name (or obs-fold)';
  if (i === end || buf[i] !== COLON) return 'invalid character in a header name';
  let vs = i + 1;
  while (vs < end && (buf[vs] === SP || buf[vs] === HTAB)) vs++;
  let ve = end;
  while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
  for (let j = vs; j < ve; j++) {
    if (FIELD_VALUE[buf[j] as number] !== 1) return 'invalid character in a header value';
  }
  // One read of the line into a string (a call into C++), then two cuts of it in JavaScript.
  const text = buf.toString('latin1', start, ve);
  const name = text.slice(0, i - start);
  const value = text.slice(vs - start);
  raw.push(name, value);
  const tab = (vs > i + 1 || ve < end) && hasTab(buf, i + 1, vs, ve, end);
  return note(notes, name, value, tab);
}
