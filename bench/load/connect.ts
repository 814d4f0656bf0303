/**
 * @module bench/load/connect
 * Load generator for scenario (c), run as its own process pinned to the load core. `connect`: N
 * concurrent loops of CONNECT → read 200 → close (direct: TCP connect → close). `tls`: CONNECT →
 * full TLS handshake (no resumption) → GET /small → close (direct: the same without the proxy).
 * Prints `"ready"`; then for each line of options (JSON) on stdin runs for the duration and prints one
 * JSON result, until `quit` or the end of stdin.
 */
import { performance } from 'node:perf_hooks';
import { handshake, emit, openTunnel, stdinLines, tcpOnly, tinyGet, type LoadTarget } from './raw.js';
import { percentile } from '../stats.js';

export interface ConnectLoadOptions extends LoadTarget {
  mode: 'connect' | 'tls';
  concurrency: number;
  durationMs: number;
}

export interface ConnectLoadResult {
  ops: number;
  errors: number;
  firstError: string | null;
  elapsedS: number;
  p50Ms: number;
  p99Ms: number;
}

// Stop a loop that fails this often: the target is broken, and spinning would only burn the core.
const MAX_ERRORS = 1000;

async function once(o: ConnectLoadOptions): Promise<void> {
  if (o.mode === 'connect') {
    const s = o.proxyPort === undefined ? await tcpOnly(o.originPort) : await openTunnel(o);
    s.destroy();
    return;
  }
  const tunnel = o.proxyPort === undefined ? undefined : await openTunnel(o);
  const tls = await handshake(o, tunnel);
  await tinyGet(tls, o.originHost);
}

async function run(o: ConnectLoadOptions): Promise<ConnectLoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const deadline = start + o.durationMs;
  let last = start;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline && errors < MAX_ERRORS) {
      const t0 = performance.now();
      try {
        await once(o);
        last = performance.now();
        latencies.push(last - t0);
      } catch (e: unknown) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, loop));
  return {
    ops: latencies.length,
    errors,
    firstError,
    elapsedS: (last - start) / 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

// One process serves every run of the scenario, so no run pays for start-up or a cold JIT.
const next = stdinLines();
emit('ready');
for (let line = await next(); line !== null && line !== 'quit'; line = await next()) {
  emit(await run(JSON.parse(line) as ConnectLoadOptions));
}
process.exit(0);
