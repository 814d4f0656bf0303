/**
 * @module proxy/fast/idle-sweep
 * Idle timeouts for the fast engine's client connections without a timer per socket, the way
 * node:http checks its headers and request timeouts: one unref'd sweep over the live connections,
 * a few times per shortest timeout. `socket.setTimeout` arms a timer per connection; when
 * connections come and go faster than they time out (a CONNECT is handed over within a
 * millisecond), arming and clearing them cost about 5 % of a CONNECT's CPU (docs/benchmarks.md,
 * session 13). A socket counts as active, as Node's socket timeout counts it, while bytes move
 * either way or its pending output changes; a timeout fires between its due time and two sweep
 * intervals after it.
 */
import type { Socket } from 'node:net';

/** The idle timeout of one socket, as the sweep reads it. */
export class IdleWatch {
  /** The timeout now in force; 0 when none. */
  ms = 0;
  private since = 0;
  private read = 0;
  private written = 0;
  private pending = 0;

  constructor(private readonly socket: Socket) {}

  /** Like `socket.setTimeout(ms)`: 0 turns it off; any other value starts the count again at `now`. */
  set(ms: number, now: number): void {
    this.ms = ms;
    this.restart(now);
  }

  /**
   * Whether the socket has been idle for its timeout at `now`. Bytes moved since the last look
   * start the count again; a timeout is reported once, then counted again from `now`.
   */
  expired(now: number): boolean {
    if (this.ms === 0) return false;
    const s = this.socket;
    if (s.bytesRead !== this.read || s.bytesWritten !== this.written || s.writableLength !== this.pending) {
      this.restart(now);
      return false;
    }
    if (now - this.since < this.ms) return false;
    this.since = now;
    return true;
  }

  private restart(now: number): void {
    const s = this.socket;
    this.since = now;
    this.read = s.bytesRead;
    this.written = s.bytesWritten;
    this.pending = s.writableLength;
  }
}

/** What the sweep visits: checks its own watch and acts on a timeout. */
export interface Sweepable {
  sweep(now: number): void;
}

/** How often to sweep for timeouts as short as `shortestMs`: an eighth of it, from 20 ms to 1 s. */
export function sweepInterval(shortestMs: number): number {
  return Math.min(1000, Math.max(20, Math.floor(shortestMs / 8)));
}

/**
 * Sweep `items` every `intervalMs()` (asked again after each sweep, so a reload's timeouts apply)
 * until stopped. The timer is unref'd: it never keeps the process alive.
 */
export function startSweep(items: Iterable<Sweepable>, intervalMs: () => number): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const now = Date.now();
    // An item may leave the set while it is swept (its socket closes): a Set allows that.
    for (const item of items) item.sweep(now);
    arm();
  };
  const arm = (): void => {
    timer = setTimeout(tick, intervalMs());
    timer.unref();
  };
  arm();
  return {
    stop() {
      clearTimeout(timer);
    },
  };
}
