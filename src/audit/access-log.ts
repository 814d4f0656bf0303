/**
 * @module audit/access-log
 * Access-log writers: squid's native format (so existing tools and habits keep working) and JSON
 * lines with DESIGN.md §4's field names. Writes are asynchronous and batched (sonic-boom), so the
 * proxy never waits on the disk; `close()` flushes everything. Never bodies, credentials or cookies:
 * records don't carry them.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SonicBoomModule from 'sonic-boom';
import type { AccessRecord } from '../proxy/records.js';

// sonic-boom is CommonJS; its types describe the class as a named export that Node's ESM loader
// cannot see, so take it from the default export.
const { SonicBoom } = SonicBoomModule as unknown as { SonicBoom: typeof import('sonic-boom').SonicBoom };
type SonicBoom = import('sonic-boom').SonicBoom;

/** Bytes gathered before a write: about a hundred records. */
const BATCH_BYTES = 16 * 1024;
/** Longest time a record waits in memory before it is written. */
const FLUSH_MS = 250;
/** Largest single write() (sonic-boom needs it above the batch size). */
const MAX_WRITE = 256 * 1024;

export interface RecordWriter {
  write(record: AccessRecord): void;
  /** Reopen the file (after logrotate moved it). */
  reopen(): void;
  /** Flush and close; resolves when everything is on disk. */
  close(): Promise<void>;
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
  const t = Date.parse(r.time) / 1000;
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
  let boom: SonicBoom;
  if (dest === '-') {
    boom = new SonicBoom({ fd: 1, sync: false, minLength: BATCH_BYTES, maxWrite: MAX_WRITE });
  } else {
    mkdirSync(dirname(dest), { recursive: true });
    boom = new SonicBoom({
      dest,
      mkdir: true,
      append: true,
      sync: false,
      minLength: BATCH_BYTES,
      maxWrite: MAX_WRITE,
    });
  }
  // Lines wait in memory until a batch is full or the flush timer fires: one write() per batch
  // instead of one per record, and at most FLUSH_MS of delay before a line reaches the file.
  const timer = setInterval(() => boom.flush(), FLUSH_MS);
  timer.unref();
  boom.on('error', () => {
    // A full disk must not take the proxy down; the metrics count what could not be written.
  });
  return {
    write: (r) => void boom.write(format(r)),
    reopen: () => {
      if (dest !== '-') boom.reopen();
    },
    close: () =>
      new Promise((resolve) => {
        clearInterval(timer);
        if (dest === '-') {
          boom.flush(() => resolve());
          return;
        }
        boom.once('close', () => resolve());
        boom.end();
      }),
  };
}
