/**
 * @module audit/access-log
 * Access-log writers: squid's native format (so existing tools and habits keep working) and JSON
 * lines with DESIGN.md §4's field names. A record is only queued when it ends; at flush (about 300
 * records, fewer with long paths, or every 250 ms) the queued records are formatted in one pass,
 * encoded into reused buffers and written as one batch to a Node write stream, so the proxy never
 * waits on the disk, pays one system call per batch, and formats while the formatter's code and
 * data are hot (formatting on the request path cost several times more per line). A disk that
 * cannot keep up is bounded: past 64 MiB of unwritten lines, new records are dropped and counted,
 * never blocking traffic. Never bodies, credentials or cookies: records don't carry them. Records
 * are never changed after they end, so keeping a reference until the flush is safe (the audit
 * store does the same).
 *
 * Why not sonic-boom: it keeps pending lines as one growing string and measures and slices it on
 * every write, which cost 35–170 µs of CPU per record here at proxy load; formatting a batch of
 * records and writing it once costs a few µs per record.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { AccessRecord } from '../proxy/records.js';
import { timeMs } from './record-time.js';

/**
 * A batch's size, counted before its lines exist: LINE_BYTES per record plus its path (the one field
 * that can be long). About 300 records, 35–120 KiB of squid-format or JSON lines.
 */
const BATCH_BYTES = 64 * 1024;
const LINE_BYTES = 200;
/** Longest time a record waits in memory before it is written. */
const FLUSH_MS = 250;
/** Unwritten bytes (a stalled disk) past which new lines are dropped and counted. */
const MAX_BACKLOG = 64 * 1024 * 1024;
/** The buffers a batch's lines are encoded into, reused once their write is done. */
const CHUNK_BYTES = 256 * 1024;
const SPARE_CHUNKS = 2;

/**
 * Encodes lines (UTF-8) into reused buffers and writes each buffer once. A batch joined into one
 * string and then encoded costs a fresh large string and a fresh buffer per flush, and the page faults
 * of touching both (most of the proxy's page faults under load); a buffer written to again after its
 * write completes costs none.
 */
class LineEncoder {
  private spare: Buffer[] = [];
  private buf: Buffer | null = null;
  private at = 0;

  /** Append one line; writes the current buffer first when the line might not fit. */
  add(line: string, dest: Writable): void {
    // One UTF-16 code unit is at most 3 UTF-8 bytes.
    const most = line.length * 3;
    let buf = this.buf;
    if (buf !== null && most > buf.length - this.at) {
      this.ship(dest);
      buf = null;
    }
    if (most > CHUNK_BYTES) {
      dest.write(Buffer.from(line));
      return;
    }
    if (buf === null) buf = this.buf = this.spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.at += buf.write(line, this.at);
  }

  /** Write what the current buffer holds; it returns to the spares when the write is done. */
  ship(dest: Writable): void {
    const buf = this.buf;
    if (buf === null) return;
    const n = this.at;
    this.buf = null;
    this.at = 0;
    const spare = this.spare;
    if (n === 0) {
      spare.push(buf);
      return;
    }
    dest.write(buf.subarray(0, n), () => {
      if (spare.length < SPARE_CHUNKS) spare.push(buf);
    });
  }
}

export interface RecordWriter {
  write(record: AccessRecord): void;
  /** Reopen the file (after logrotate moved it). */
  reopen(): void;
  /** Flush and close; resolves when everything is on disk. */
  close(): Promise<void>;
  /** Lines dropped because the destination could not keep up or failed, or a record could not be formatted. */
  readonly dropped: number;
}

/** squid's result code for a record (`TCP_TUNNEL`, `TCP_MISS`, `TCP_DENIED`, `NONE_NONE`). */
function squidCode(r: AccessRecord): string {
  if (r.decision === 'deny') return r.host === '-' ? 'NONE_NONE' : 'TCP_DENIED';
  if (r.method === 'CONNECT') return 'TCP_TUNNEL';
  return 'TCP_MISS';
}

/**
 * One line in squid's native format (`logformat squid`):
 * `time elapsed client code/status bytes method URL user hierarchy/peer type`.
 */
export function formatSquid(r: AccessRecord): string {
  const t = timeMs(r.time) / 1000;
  const host = r.host.includes(':') ? `[${r.host}]` : r.host;
  const url =
    r.host === '-'
      ? '-'
      : r.method === 'CONNECT'
        ? `${host}:${r.port}`
        : `${r.scheme}://${host}${r.port === 80 ? '' : `:${r.port}`}${r.path ?? '/'}`;
  const hier = r.resolved ? `HIER_DIRECT/${r.resolved}` : 'HIER_NONE/-';
  const elapsed = String(Math.round(r.durationMs)).padStart(6);
  return `${t.toFixed(3)} ${elapsed} ${r.client} ${squidCode(r)}/${String(r.status).padStart(3, '0')} ${r.bytesDown} ${r.method} ${url} - ${hier} -\n`;
}

/** One JSON line with the fixed field names. */
export function formatJson(r: AccessRecord): string {
  return JSON.stringify(r) + '\n';
}

/** A writer to a file path, or to stdout with `-`. */
export function createRecordWriter(dest: string, format: (r: AccessRecord) => string): RecordWriter {
  const open = (): Writable => {
    if (dest === '-') return process.stdout;
    mkdirSync(dirname(dest), { recursive: true });
    const s = createWriteStream(dest, { flags: 'a' });
    // A full disk or a removed folder must not take the proxy down: the lines are counted as dropped.
    s.on('error', () => undefined);
    return s;
  };
  let out = open();
  let queued: AccessRecord[] = [];
  let bytes = 0;
  let dropped = 0;
  const lines = new LineEncoder();
  const flush = (): void => {
    if (queued.length === 0) return;
    const records = queued;
    queued = [];
    bytes = 0;
    if (out.destroyed || out.writableLength > MAX_BACKLOG) {
      dropped += records.length;
      return;
    }
    const dest = out;
    for (const r of records) {
      // A record that cannot be formatted is counted as dropped; it must not cost the others.
      let line: string;
      try {
        line = format(r);
      } catch {
        dropped += 1;
        continue;
      }
      lines.add(line, dest);
    }
    lines.ship(dest);
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  const end = (s: Writable): Promise<void> =>
    new Promise((resolve) => {
      if (s === process.stdout) {
        if (s.writableLength === 0) return resolve();
        s.once('drain', () => resolve());
        return;
      }
      if (s.destroyed) return resolve();
      s.once('close', () => resolve());
      s.end();
    });
  return {
    write(r) {
      queued.push(r);
      bytes += LINE_BYTES + (r.path?.length ?? 0);
      if (bytes >= BATCH_BYTES) flush();
    },
    reopen() {
      if (dest === '-') return;
      flush();
      void end(out);
      out = open();
    },
    close() {
      clearInterval(timer);
      flush();
      return end(out);
    },
    get dropped() {
      return dropped;
    },
  };
}
