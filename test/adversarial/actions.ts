/**
 * @module test/adversarial/actions
 * Client behaviour the harness carries out inside the namespace on the suite's behalf: exact bytes
 * to a proxy (with pauses between parts), connections held open to fill a cap, and a slowloris
 * flood with a normal request in the middle of it. Knows nothing about expected outcomes.
 */
import { connect, type Socket } from 'node:net';
import type { ProxyServerHandle } from '../../src/proxy/server.js';
import type { RawResult, SlowlorisRequest, SlowlorisResult } from './protocol.js';
import { PROXY_ADDR } from './world.js';

const MAX_TEXT = 256 * 1024;
const HOLD_DEADLINE_MS = 3000;

/** Write `parts` to the proxy `gapMs` apart; read until the proxy closes or `timeoutMs` passes. */
export function rawExchange(
  port: number,
  parts: readonly Buffer[],
  opts: { gapMs?: number; timeoutMs?: number; source?: string | undefined },
): Promise<RawResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = connect({ host: PROXY_ADDR, port, localAddress: opts.source });
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      const ms = Math.round(performance.now() - started);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed, ms });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 2500);
    socket.on('data', (c: Buffer) => {
      if (size < MAX_TEXT) chunks.push(c);
      size += c.length;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.once('connect', () => {
      let i = 0;
      const next = (): void => {
        const part = parts[i++];
        if (part === undefined || socket.destroyed) return;
        socket.write(part);
        if (i < parts.length) setTimeout(next, opts.gapMs ?? 0);
      };
      next();
    });
  });
}

/** Resolve once `cond()` holds, polling on the event loop; reject after `ms`. */
export function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (cond()) resolve();
      else if (performance.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

/** A CONNECT or an `Upgrade:` request: the proxy gives it a tunnel slot once it is admitted. */
const opensTunnel = (payload: string | undefined): boolean =>
  payload !== undefined && (payload.startsWith('CONNECT ') || /\r\nUpgrade:/i.test(payload));

/**
 * Open `count` connections from `source` (each writing `payload`) and keep them open; resolve once
 * the proxy counts them all (and, for tunnels, has given each its tunnel slot).
 */
export async function hold(
  handle: ProxyServerHandle,
  port: number,
  held: Socket[],
  count: number,
  source: string,
  payload: string | undefined,
): Promise<void> {
  const before = handle.stats();
  const tunnels = before.tunnels + (opensTunnel(payload) ? count : 0);
  for (let i = 0; i < count; i++) {
    const s = connect({ host: PROXY_ADDR, port, localAddress: source });
    s.on('error', () => undefined);
    if (payload !== undefined) s.write(payload);
    held.push(s);
  }
  const counted = (): boolean => {
    const now = handle.stats();
    return now.connections >= before.connections + count && now.tunnels >= tunnels;
  };
  await until(counted, HOLD_DEADLINE_MS, `${count} held connections`);
}

/** Close held connections and wait until the proxy has let go of every connection. */
export async function release(handle: ProxyServerHandle, held: Socket[]): Promise<void> {
  for (const s of held.splice(0)) s.destroy();
  await until(() => handle.stats().connections === 0, HOLD_DEADLINE_MS, 'the proxy to drop held connections');
}

type Dribble = { connected: Promise<void>; done: Promise<'429' | 'closed' | 'open'> };

/** One slowloris connection: a request head that never ends, one byte every 50 ms until `stop`. */
function dribble(port: number, source: string, stop: number): Dribble {
  const s = connect({ host: PROXY_ADDR, port, localAddress: source });
  s.on('error', () => undefined);
  const connected = new Promise<void>((resolve) => s.once('connect', resolve).once('close', resolve));
  const done = new Promise<'429' | 'closed' | 'open'>((resolve) => {
    let text = '';
    let tick: NodeJS.Timeout | undefined;
    s.on('data', (c: Buffer) => (text += c.toString('latin1')));
    s.on('close', () => {
      clearInterval(tick);
      resolve(text.startsWith('HTTP/1.1 429') ? '429' : performance.now() < stop ? 'closed' : 'open');
    });
    s.once('connect', () => {
      s.write('GET http://ok.lab.test/ HTTP/1.1\r\nX-Slow: ');
      tick = setInterval(() => {
        if (performance.now() >= stop) s.destroy();
        else s.write('a');
      }, 50);
    });
  });
  return { connected, done };
}

/** Flood from `sources`; once every flood connection is up, send one normal request from elsewhere. */
export async function slowloris(port: number, req: SlowlorisRequest): Promise<SlowlorisResult> {
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  }, 20);
  const stop = performance.now() + req.durationMs;
  const flood = req.sources.flatMap((src) =>
    Array.from({ length: req.perSource }, () => dribble(port, src, stop)),
  );
  await Promise.all(flood.map((d) => d.connected));
  const normal = await rawExchange(
    port,
    [Buffer.from('GET http://alive.lab.test/normal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')],
    { timeoutMs: req.durationMs },
  );
  const outcomes = await Promise.all(flood.map((d) => d.done));
  clearInterval(sample);
  return {
    normal,
    opened: flood.length,
    refused429: outcomes.filter((o) => o === '429').length,
    closedByProxy: outcomes.filter((o) => o === 'closed').length,
    heapGrowthBytes: peakHeap - before.heapUsed,
    rssGrowthBytes: peakRss - before.rss,
  };
}
