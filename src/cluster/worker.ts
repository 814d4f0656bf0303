/**
 * @module cluster/worker
 * A cluster worker: the data plane only. It waits for the primary's `start` (listen address and the
 * validated config), runs the proxy with a runtime built from it, sends its records to the primary
 * in batches (cluster/ipc), swaps in each policy the primary sends, and on `stop` drains, sends its
 * last records and leaves. It never reads the config files, watches, polls, or writes logs or the
 * audit store: the primary does. Signals are the primary's business (a Ctrl-C or a systemd stop
 * reaches the whole process group; the primary then drains every worker).
 */
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { errorCode, errorMessage } from '../errors.js';
import { buildRuntime } from '../gateway/runtime.js';
import type { ProxyRuntime } from '../proxy/runtime.js';
import { createProxyServer, type ProxyServerHandle } from '../proxy/server.js';
import {
  createRecordBatcher,
  parsePrimaryMessage,
  type ConnectionStats,
  type PrimaryMessage,
  type WorkerMessage,
} from './ipc.js';

/** How often a worker reports its open connections when they changed (the stats gauges). */
const STATS_MS = 1000;
/** Longest a stopping worker waits for its last records to be written to the channel. */
const FLUSH_LIMIT_MS = 5000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function send(m: WorkerMessage, done: (err: Error | null) => void = () => undefined): void {
  if (process.send === undefined || !process.connected) {
    done(new Error('the channel to the primary is closed'));
    return;
  }
  process.send(m, undefined, {}, (err: Error | null) => done(err));
}

/** Runs until the primary says stop (or goes away); resolves with the exit code. */
export function runWorker(logger: Logger): Promise<number> {
  // The primary decides when to stop and reload; without handlers these would kill the worker.
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => undefined);
  return new Promise<number>((resolve) => {
    let proxy: ProxyServerHandle | undefined;
    let stopping = false;
    const onMessage = (raw: unknown): void => {
      const m = parsePrimaryMessage(raw);
      if (m === null) return;
      if (m.kind === 'start') void start(m);
      else if (m.kind === 'policy') swap(m.loaded, m.version);
      else void stop(true);
    };
    let runtime: ProxyRuntime | undefined;
    const getRuntime = (): ProxyRuntime => {
      if (runtime === undefined) throw new Error('no policy yet');
      return runtime;
    };
    const stats = (): ConnectionStats => proxy?.stats() ?? { connections: 0, tunnels: 0 };
    const batcher = createRecordBatcher({ send, stats });
    let reported = '';
    const statsTimer = setInterval(() => {
      const s = stats();
      const key = `${s.connections}/${s.tunnels}`;
      if (key !== reported) send({ kind: 'stats', stats: s });
      reported = key;
    }, STATS_MS);
    statsTimer.unref();

    const swap = (loaded: LoadedConfig, version: number): void => {
      try {
        runtime = buildRuntime(deepFreeze(loaded), version, runtime);
      } catch (e: unknown) {
        // The primary built the same runtime before sending it; keep the last good one regardless.
        logger.error({ err: errorMessage(e), version }, 'policy from the primary refused');
      }
    };

    const start = async (m: Extract<PrimaryMessage, { kind: 'start' }>): Promise<void> => {
      try {
        swap(m.loaded, m.version);
        proxy = createProxyServer({ getRuntime, sink: (r) => batcher.add(r), logger, engine: m.engine });
        const a = await proxy.listen(m.port, m.host);
        // A stop that came while the listen was in flight closed a server that was not listening yet.
        if (stopping) return void (await proxy.close());
        send({ kind: 'listening', port: a.port, address: a.address, family: a.family });
      } catch (e: unknown) {
        send({ kind: 'failed', error: errorMessage(e), code: errorCode(e) }, () => void stop(false, 1));
      }
    };

    const stop = async (drain: boolean, code = 0): Promise<void> => {
      if (stopping) return;
      stopping = true;
      clearInterval(statsTimer);
      try {
        await proxy?.close();
      } catch (e: unknown) {
        logger.error({ err: errorMessage(e) }, 'drain failed');
      }
      if (process.connected) {
        // Bounded: a channel that breaks while the last batches are in flight must not keep us.
        const flushed = Promise.all([
          batcher.flush(),
          drain ? new Promise<void>((done) => send({ kind: 'drained' }, () => done())) : undefined,
        ]);
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([flushed, new Promise((r) => (timer = setTimeout(r, FLUSH_LIMIT_MS)))]);
        clearTimeout(timer);
      }
      process.off('message', onMessage);
      if (process.connected) process.disconnect();
      resolve(code);
    };

    process.on('message', onMessage);
    send({ kind: 'ready' });
    // The primary let go of us before our start (it is stopping). Should the primary die instead,
    // node:cluster's own `disconnect` handler ends the worker at once: no one is left to report to.
    process.once('disconnect', () => void stop(false));
  });
}
