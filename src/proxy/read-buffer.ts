/**
 * @module proxy/read-buffer
 * Which buffer an upstream socket reads into next, for `net.connect`'s `onread` (instead of the
 * fresh 64 KiB buffer per read a stream allocates). A quiet connection owns no buffer: its reads land
 * in one 64 KiB buffer the whole process shares, which the reader must copy from before keeping any
 * of it (the next read of any socket overwrites it). A connection whose read is large gets a 256 KiB
 * buffer of its own, reused from read to read, and replaced whenever a write may still point into
 * it; it goes back to the shared one after a few small reads in a row (one small read in the middle
 * of a download is common over TLS, and dropping the buffer there cost a fresh 256 KiB, and 64 page
 * faults, about every 3 MiB), and at once when parked (an upstream connection back in the pool).
 * Reads four times the size of a stream's took a tunnel's CPU per 100 MiB from 110–120 to 80 ms
 * (docs/benchmarks.md).
 */
import type { OnReadOpts } from 'node:net';

const SHARED_BYTES = 64 * 1024;
const OWN_BYTES = 256 * 1024;
/** A read at least this big marks a busy flow, worth a buffer of its own. */
const BUSY_BYTES = 16 * 1024;
/** Small reads in a row after which a connection gives its own buffer back: a lull, not a blip. */
export const QUIET_READS = 4;

let sharedBuffer: Buffer | undefined;
function shared(): Buffer {
  sharedBuffer ??= Buffer.allocUnsafeSlow(SHARED_BYTES);
  return sharedBuffer;
}

/**
 * A read of `n` bytes, as the `onread` callback gets it. `owned`: the bytes are in the connection's
 * own buffer, so they may be written as they are; otherwise copy what outlives the call. Return
 * whether a write may still point into the buffer, and false for `paused` to stop reading.
 */
export type ReadHandler = (bytes: Buffer, owned: boolean) => ReadResult;

export interface ReadResult {
  readonly held: boolean;
  readonly paused: boolean;
}

const RESULTS: readonly ReadResult[] = [
  { held: false, paused: false },
  { held: true, paused: false },
  { held: false, paused: true },
  { held: true, paused: true },
];

/** A `ReadHandler`'s answer, without allocating one per read. */
export function readResult(held: boolean, paused: boolean): ReadResult {
  return RESULTS[(held ? 1 : 0) + (paused ? 2 : 0)] as ReadResult;
}

export class ReadBuffer {
  private own: Buffer | null = null;
  private next: Buffer = shared();
  /** Small reads since the last large one. */
  private quiet = 0;
  /** `park()` was called: give the own buffer back after this read, whatever its size. */
  private parking = false;

  /**
   * The connection goes idle (an upstream connection back in the pool): it holds no buffer of its
   * own until it is busy again. May be called from within a read's handler.
   */
  park(): void {
    this.parking = true;
    this.own = null;
    this.next = shared();
  }

  /** `onread` options that hand each read to `handle` and choose the next buffer after it. */
  onread(handle: ReadHandler): OnReadOpts {
    return {
      buffer: () => this.next,
      callback: (n: number, buf: Uint8Array): boolean => {
        const owned = this.own !== null && buf === this.own;
        const got = handle((buf as Buffer).subarray(0, n), owned);
        this.after(n, owned, got.held);
        return !got.paused;
      },
    };
  }

  private after(n: number, owned: boolean, held: boolean): void {
    if (this.parking) {
      this.parking = false;
      this.quiet = 0;
      return;
    }
    const busy = n >= BUSY_BYTES;
    this.quiet = busy ? 0 : this.quiet + 1;
    // Let go of the own buffer when the flow went quiet, or when a write still points into it.
    if (this.own !== null && (this.quiet >= QUIET_READS || (owned && held))) this.own = null;
    if (this.own === null && busy) this.own = Buffer.allocUnsafeSlow(OWN_BYTES);
    this.next = this.own ?? shared();
  }
}
