/**
 * @module bench/load/slow
 * Slowloris flood for scenario (g), run as its own process on the load core: N connections from
 * their own client address (127.0.0.2, so a per-client cap meets the flood and not the real
 * traffic) that each send the start of a proxy request and then one more header byte every
 * `dribbleMs`, never finishing it. A connection the proxy closes or answers is counted and opened
 * again after one dribble interval, so the flood keeps its size as long as the proxy lets it.
 * Prints `"ready"`; `open` → opens all, `{"open":N,"seconds":S}`; `stats` → {@link SlowStats};
 * the end of stdin closes everything and exits.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { count, type Tally } from './outcome.js';
import { emit, stdinLines } from './raw.js';

export interface SlowLoadOptions {
  proxyPort: number;
  /** `origin.bench:PORT` of the plain HTTP origin, named in the request line and Host. */
  authority: string;
  connections: number;
  dribbleMs: number;
  localAddress: string;
}

export interface SlowStats {
  /** Connections open right now. */
  open: number;
  /** Closed by the proxy (with or without an answer) since `open`. */
  closed: number;
  /** What the proxy answered before closing, by status (`none` when it just closed). */
  answers: Tally;
}

const opts = JSON.parse(process.argv[2] ?? '{}') as SlowLoadOptions;
// A header line, sent one byte per dribble: endless but always valid so far.
const DRIBBLE = Buffer.from('X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n', 'latin1');
const sockets = new Set<Socket>();
const answers: Tally = {};
let closed = 0;
let stopping = false;

function openOne(): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ port: opts.proxyPort, host: '127.0.0.1', localAddress: opts.localAddress });
    let pos = 0;
    let answer = 'none';
    let timer: NodeJS.Timeout | undefined;
    s.setNoDelay(true);
    s.on('error', () => undefined);
    s.once('connect', () => {
      sockets.add(s);
      s.write(`GET http://${opts.authority}/small HTTP/1.1\r\nHost: ${opts.authority}\r\n`);
      // Spread the dribbles of all connections over the interval instead of sending them in bursts.
      timer = setTimeout(() => {
        timer = setInterval(() => {
          s.write(DRIBBLE.subarray(pos, pos + 1));
          pos = (pos + 1) % DRIBBLE.length;
        }, opts.dribbleMs);
      }, Math.random() * opts.dribbleMs);
      resolve();
    });
    s.on('data', (c: Buffer) => {
      if (answer === 'none') answer = /^HTTP\/1\.[01] (\d{3})/.exec(c.toString('latin1'))?.[1] ?? 'other';
    });
    s.once('close', () => {
      clearTimeout(timer);
      clearInterval(timer);
      const wasOpen = sockets.delete(s);
      resolve(); // a connect that failed
      if (stopping) return;
      closed++;
      count(answers, wasOpen ? answer : 'connect failed');
      setTimeout(() => void openOne(), opts.dribbleMs); // keep the flood at its size
    });
  });
}

async function openAll(): Promise<{ open: number; seconds: number }> {
  const t0 = performance.now();
  // In batches, so the proxy's accept queue is not the first thing measured.
  for (let i = 0; i < opts.connections; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, opts.connections - i) }, openOne));
  }
  return { open: sockets.size, seconds: (performance.now() - t0) / 1000 };
}

const next = stdinLines();
emit('ready');
for (let line = await next(); line !== null; line = await next()) {
  if (line === 'open') emit(await openAll());
  else if (line === 'stats') emit({ open: sockets.size, closed, answers } satisfies SlowStats);
}
stopping = true;
for (const s of sockets) s.destroy();
process.exit(0);
