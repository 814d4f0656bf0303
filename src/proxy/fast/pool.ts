/**
 * @module proxy/fast/pool
 * Keep-alive upstream connections for the fast engine, keyed by the checked `address:port` that was
 * dialled (never by name, so a connection is only reused for the address a decision checked). LIFO
 * free lists, bounded per key and in total, closed after an idle timeout; a free connection that
 * sends anything or closes is dropped. Connections read through a `ReadBuffer` (no buffer allocated
 * per read). Knows nothing about requests beyond the current user.
 */
import type { Socket } from 'node:net';
import { connectChecked } from '../dial.js';
import { ReadBuffer, readResult, type ReadResult } from '../read-buffer.js';
import { ResponseParser } from './response-parser.js';

/** The exchange currently using a connection. */
export interface UpstreamUser {
  /**
   * Bytes read. `owned`: they may be written as they are; otherwise they are in the shared read
   * buffer and must be copied before anything keeps them past the call (see read-buffer.ts).
   * Returns whether a write may still point into them.
   */
  onUpstreamData(chunk: Buffer, owned: boolean): ReadResult;
  /** The upstream closed (FIN or close) without an error. */
  onUpstreamEnd(): void;
  onUpstreamError(e: Error): void;
  onUpstreamDrain(): void;
}

// Like Node's Agent default for maxFreeSockets, per destination; and a ceiling over all of them.
const MAX_FREE_PER_KEY = 256;
const MAX_FREE_TOTAL = 4096;
const STOP = readResult(false, true);

export class UpstreamConn {
  user: UpstreamUser | null = null;
  /** Reused across the responses of this connection. */
  readonly parser: ResponseParser;
  private idle = false;

  constructor(
    readonly socket: Socket,
    readonly key: string,
    private readonly pool: UpstreamPool,
    maxHeaderBytes: number,
    idleMs: number,
    /** Its reads' buffers: an idle connection in the pool holds none of its own. */
    readonly reads: ReadBuffer,
  ) {
    this.parser = new ResponseParser(maxHeaderBytes);
    // Armed once: every read or write restarts it, so it only fires after idleMs of silence. While
    // an exchange uses the connection its own timers decide, so a timeout then is ignored.
    socket.setTimeout(idleMs);
    socket.on('end', () => this.ended());
    socket.on('close', () => this.ended());
    socket.on('error', (e: Error) => {
      const user = this.user;
      this.user = null;
      user?.onUpstreamError(e);
      socket.destroy();
    });
    socket.on('drain', () => this.user?.onUpstreamDrain());
    socket.on('timeout', () => {
      if (this.user === null) socket.destroy();
    });
  }

  /** What the socket read (its `onread` callback). */
  read(bytes: Buffer, owned: boolean): ReadResult {
    if (this.user !== null) return this.user.onUpstreamData(bytes, owned);
    this.socket.destroy(); // unsolicited bytes on an idle connection: never trust it again
    return STOP;
  }

  private ended(): void {
    if (this.idle) {
      this.idle = false;
      this.pool.forget(this);
    }
    const user = this.user;
    this.user = null;
    user?.onUpstreamEnd();
  }

  /** Mark idle in the pool (true) or taken out of it (false). */
  setIdle(idle: boolean): void {
    this.idle = idle;
  }

  usable(): boolean {
    const s = this.socket;
    return !s.destroyed && s.readyState === 'open' && !s.readableEnded;
  }
}

export class UpstreamPool {
  private readonly free = new Map<string, UpstreamConn[]>();
  private idleCount = 0;
  private closed = false;

  constructor(
    private readonly idleMs: number,
    private readonly maxHeaderBytes: number,
  ) {}

  /** A free connection to `key`, or null. */
  take(key: string): UpstreamConn | null {
    const list = this.free.get(key);
    while (list !== undefined && list.length > 0) {
      const c = list.pop() as UpstreamConn;
      this.idleCount--;
      c.setIdle(false);
      if (c.usable()) return c;
      c.socket.destroy();
    }
    return null;
  }

  /** Connect to the checked `address:port` (`key`) for a new connection, not yet in the pool. */
  async dial(key: string, address: string, port: number, timeoutMs: number): Promise<UpstreamConn> {
    let conn: UpstreamConn | null = null;
    const reads = new ReadBuffer();
    const onread = reads.onread((bytes, owned) => (conn === null ? STOP : conn.read(bytes, owned)));
    const socket = await connectChecked(address, port, timeoutMs, onread);
    conn = new UpstreamConn(socket, key, this, this.maxHeaderBytes, this.idleMs, reads);
    return conn;
  }

  /** Put a connection whose exchange ended cleanly back in the pool, or close it. */
  release(c: UpstreamConn): void {
    c.user = null;
    let list = this.free.get(c.key);
    if (this.closed || !c.usable() || this.idleCount >= MAX_FREE_TOTAL) {
      c.socket.destroy();
      return;
    }
    if (list === undefined) this.free.set(c.key, (list = []));
    if (list.length >= MAX_FREE_PER_KEY) {
      c.socket.destroy();
      return;
    }
    c.setIdle(true);
    c.reads.park();
    list.push(c);
    this.idleCount++;
  }

  /** A free connection closed by itself. */
  forget(c: UpstreamConn): void {
    const list = this.free.get(c.key);
    const i = list?.indexOf(c) ?? -1;
    if (list === undefined || i === -1) return;
    list.splice(i, 1);
    this.idleCount--;
    if (list.length === 0) this.free.delete(c.key);
  }

  /** Close every free connection and refuse new ones. */
  destroyAll(): void {
    this.closed = true;
    for (const list of this.free.values()) for (const c of list) c.socket.destroy();
    this.free.clear();
    this.idleCount = 0;
  }

  stats(): { idle: number } {
    return { idle: this.idleCount };
  }
}
