/**
 * @module cluster/primary
 * The cluster primary's data plane: the gateway's listener when `workers` > 1. It forks the
 * workers (node:cluster, SCHED_NONE: each worker accepts from the shared socket itself, so the
 * primary does no per-connection work), hands each the listen address and the validated config,
 * forwards every new policy version, feeds the records they send in batches to the gateway's sink
 * (access logs, audit store, metrics and live tail all stay in the primary), sums their open
 * connections for `stats()`, restarts a worker that dies (with backoff), and on `close()` drains
 * every worker and waits for its last records. Never parses config files or handles signals.
 */
import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load.js';
import { CordonError } from '../errors.js';
import type { DataPlane } from '../gateway/gateway.js';
import type { ProxyServerOptions } from '../proxy/server.js';
import { CLUSTER_ERRORS } from './errors.js';
import { parseWorkerMessage, type ConnectionStats, type PrimaryMessage, type WorkerMessage } from './ipc.js';
import { createRestartPolicy } from './restart.js';

/** Past the drain deadline, how long a worker gets to send its last records and exit. */
const EXIT_GRACE_MS = 5000;
/** At most one warning per this long about records dropped between workers and the primary. */
const DROP_LOG_MS = 10_000;
/** After a worker exited, how long its channel may take to deliver what it sent before it died. */
const EXIT_READ_MS = 1000;

/** `p`, or nothing after `ms`; the timer never outlives the promise. */
function within(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export interface ClusterPlaneOptions {
  workers: number;
  logger: Logger;
  /** What the gateway gives its data plane: the sink for records, the runtime in force. */
  proxy: ProxyServerOptions;
  /** The config loaded at start (sent to each worker with the version in force). */
  loaded: LoadedConfig;
}

export interface ClusterPlane extends DataPlane {
  /** Send a new, already validated policy version to every worker. */
  policy(loaded: LoadedConfig, version: number): void;
}

interface Slot {
  readonly index: number;
  worker: Worker | undefined;
  /** The worker asked for its start message (its message handler is in place). */
  ready: boolean;
  listening: boolean;
  stats: ConnectionStats;
  /** Resolves when the worker exited and every message it sent was handled. */
  gone: Promise<void>;
  /** Called on the worker's `drained` message. */
  drained: () => void;
}

const ZERO: ConnectionStats = { connections: 0, tunnels: 0 };

export function createClusterPlane(o: ClusterPlaneOptions): ClusterPlane {
  const log = o.logger;
  // SCHED_NONE unless the operator chose with NODE_CLUSTER_SCHED_POLICY (Node reads it itself).
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  let current = { loaded: o.loaded, version: o.proxy.getRuntime().policy.version };
  const engine = o.proxy.engine ?? o.loaded.config.engine;
  let listenAt: { host: string; port: number } | undefined;
  let stopping = false;
  let droppedTotal = 0;
  let droppedLogged = 0;
  let lastDropLog = 0;
  const restarts = createRestartPolicy();
  const slots: Slot[] = Array.from({ length: o.workers }, (_, index) => ({
    index,
    worker: undefined,
    ready: false,
    listening: false,
    stats: ZERO,
    gone: Promise.resolve(),
    drained: () => undefined,
  }));
  let starting: { resolve(a: AddressInfo): void; reject(e: Error): void; first?: AddressInfo } | undefined;

  const sendTo = (slot: Slot, m: PrimaryMessage): void => {
    if (slot.worker?.isConnected() === true) slot.worker.send(m);
  };

  const startFailed = (error: string, code?: string): void => {
    const s = starting;
    if (s === undefined) return;
    starting = undefined;
    const why = code === undefined ? error : `${error} (${code})`;
    s.reject(new CordonError(CLUSTER_ERRORS.workerStart, `a worker could not start: ${why}`));
  };

  const onRecords = (m: Extract<WorkerMessage, { kind: 'records' }>): void => {
    for (const r of m.records) o.proxy.sink(r);
    if (m.dropped === 0) return;
    droppedTotal += m.dropped;
    const now = Date.now();
    if (now - lastDropLog < DROP_LOG_MS) return;
    log.warn(
      { dropped: droppedTotal - droppedLogged, droppedTotal },
      'records dropped between workers and the primary (the primary fell behind)',
    );
    droppedLogged = droppedTotal;
    lastDropLog = now;
  };

  const onMessage = (slot: Slot, raw: unknown): void => {
    const m = parseWorkerMessage(raw);
    if (m === null || listenAt === undefined) return;
    switch (m.kind) {
      case 'ready':
        slot.ready = true;
        sendTo(slot, { kind: 'start', ...listenAt, engine, ...current });
        return;
      case 'listening':
        slot.listening = true;
        restarts.started(slot.index);
        log.info({ worker: slot.index, workerPid: slot.worker?.process.pid }, 'worker listening');
        if (starting !== undefined) {
          // Every worker listens with the same host and port as asked (even port 0): node:cluster
          // shares one socket per (host, port) key, so they all get the one that was bound.
          starting.first ??= { port: m.port, address: m.address, family: m.family };
          if (slots.every((s) => s.listening)) {
            starting.resolve(starting.first);
            starting = undefined;
          }
        }
        return;
      case 'failed':
        log.error({ worker: slot.index, err: m.error, code: m.code }, 'worker could not listen');
        startFailed(m.error, m.code);
        return;
      case 'records':
        slot.stats = m.stats;
        onRecords(m);
        return;
      case 'stats':
        slot.stats = m.stats;
        return;
      case 'drained':
        slot.drained();
        return;
    }
  };

  const fork = (slot: Slot): void => {
    const worker = cluster.fork({ CORDON_WORKER: String(slot.index) });
    Object.assign(slot, { worker, ready: false, listening: false, stats: ZERO });
    const pid = worker.process.pid;
    log.info({ worker: slot.index, workerPid: pid }, 'worker started');
    worker.on('message', (m: unknown) => onMessage(slot, m));
    worker.on('error', (e: Error) =>
      log.error({ worker: slot.index, workerPid: pid, err: e.message }, 'worker error'),
    );
    // Gone once it exited and every message it sent was handled: its channel closed, or its
    // `drained` (sent after its last records) arrived. Node does not always emit `disconnect` for a
    // worker that exits while a listen is in flight, hence the bounded wait after the exit.
    const exited = new Promise<void>((resolve) => worker.process.once('exit', () => resolve()));
    const closed = new Promise<void>((resolve) => {
      worker.once('disconnect', () => resolve());
      slot.drained = resolve;
    });
    slot.gone = exited.then(() => within(closed, EXIT_READ_MS));
    worker.process.once('exit', (code: number | null, signal: string | null) => {
      if (slot.worker === worker) Object.assign(slot, { worker: undefined, stats: ZERO });
      if (stopping) return;
      const detail = { worker: slot.index, workerPid: pid, code, signal };
      if (starting !== undefined) {
        log.error(detail, 'worker exited before it listened');
        startFailed(`worker ${slot.index} exited (code ${code}, signal ${signal})`);
        return;
      }
      const delayMs = restarts.exited(slot.index);
      log.error({ ...detail, restartInMs: delayMs }, 'worker exited; starting a replacement');
      restarts.schedule(delayMs, () => {
        if (!stopping) fork(slot);
      });
    });
  };

  /** Stop every worker: drain, last records, exit; SIGKILL past the deadline. */
  const stopAll = async (): Promise<void> => {
    stopping = true;
    restarts.cancelAll();
    const deadline = current.loaded.config.timeouts.drainMs + EXIT_GRACE_MS;
    await Promise.all(
      slots.map(async (slot) => {
        const w = slot.worker;
        if (w === undefined) return;
        if (slot.ready) sendTo(slot, { kind: 'stop' });
        else w.disconnect();
        const timer = setTimeout(() => {
          log.error(
            { worker: slot.index, workerPid: w.process.pid },
            'worker did not stop in time; killing it',
          );
          w.process.kill('SIGKILL');
        }, deadline);
        await slot.gone;
        clearTimeout(timer);
      }),
    );
  };

  return {
    listen(port, host) {
      listenAt = { host: host ?? '0.0.0.0', port };
      log.info({ workers: o.workers, scheduling: schedulingName() }, 'starting cluster workers');
      const started = new Promise<AddressInfo>((resolve, reject) => {
        starting = { resolve, reject };
      });
      for (const slot of slots) fork(slot);
      return started.catch(async (e: unknown) => {
        await stopAll();
        throw e;
      });
    },
    close: stopAll,
    stats() {
      const sum = { connections: 0, tunnels: 0 };
      for (const s of slots) {
        sum.connections += s.stats.connections;
        sum.tunnels += s.stats.tunnels;
      }
      return sum;
    },
    policy(loaded, version) {
      current = { loaded, version };
      for (const slot of slots) if (slot.ready) sendTo(slot, { kind: 'policy', loaded, version });
    },
  };
}

function schedulingName(): string {
  return cluster.schedulingPolicy === cluster.SCHED_NONE
    ? 'none (each worker accepts from the shared socket)'
    : 'round-robin';
}
