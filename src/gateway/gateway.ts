/**
 * @module gateway/gateway
 * The running gateway: loads the config, starts the proxy with a runtime built from it, writes its
 * records to the access logs, and hot-reloads on file change or `reload()` (SIGHUP). A reload that
 * fails validation is refused with the reason logged and the last good policy stays in force; a good
 * one is swapped in atomically (open connections keep the runtime they started with).
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createRecordWriter, formatJson, formatSquid, type RecordWriter } from '../audit/access-log.js';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadConfig, loadConfigText, type LoadedConfig } from '../config/load.js';
import { errorMessage } from '../errors.js';
import type { AccessRecord } from '../proxy/records.js';
import type { ProxyRuntime } from '../proxy/runtime.js';
import { splitHostPort } from '../proxy/request-target.js';
import { createProxyServer, type ProxyServerHandle, type ProxyServerOptions } from '../proxy/server.js';
import { createRemotePolicy, mergeRemotePolicy, type RemotePolicy } from './remote-policy.js';
import { buildRuntime } from './runtime.js';
import { watchFiles, type FileWatcher } from './watch.js';

export interface GatewayOptions {
  /** cordon.yaml path; undefined runs the built-in default policy. */
  configPath?: string | undefined;
  /** Overrides `listen` from the config (`HOST:PORT`). */
  listen?: string | undefined;
  logger: Logger;
  /** Watch the config and allowlist files (default true when a config path is given). */
  watch?: boolean;
  /**
   * Runs the listener (default: the proxy in this process). `cordon start` with `workers` > 1
   * passes one that runs the proxy in cluster workers and feeds their records to `opts.sink`.
   */
  dataPlane?: DataPlaneFactory;
}

/** What the gateway needs of its listener: the in-process proxy, or a set of cluster workers. */
export type DataPlane = Pick<ProxyServerHandle, 'listen' | 'close' | 'stats'>;
/** Builds the data plane once, with the config loaded at start. */
export type DataPlaneFactory = (opts: ProxyServerOptions, loaded: LoadedConfig) => DataPlane;

export interface ReloadResult {
  ok: boolean;
  version: number;
  error?: string;
}

export interface Gateway {
  start(): Promise<{ proxy: AddressInfo }>;
  /** Re-read the config now. Never throws: a bad config is refused and reported. */
  reload(trigger: string): ReloadResult;
  /** Fetch the remote policy now (no-op for file: policies). */
  pollRemote(): Promise<void>;
  stop(): Promise<void>;
  current(): { loaded: LoadedConfig; runtime: ProxyRuntime };
  /** Subscribe to every record (audit store, metrics, live tail). Returns an unsubscribe. */
  onRecord(fn: (r: AccessRecord) => void): () => void;
  /** Called after every successful reload with the new config. */
  onReload(fn: (loaded: LoadedConfig, version: number) => void): () => void;
  /** Called after every refused reload (file change, SIGHUP or remote source), with the reason. */
  onReloadFailed(fn: (trigger: string, error: string) => void): () => void;
  /** Open client connections and CONNECT tunnels right now (for metrics). */
  stats(): { connections: number; tunnels: number };
}

/** Parse `HOST:PORT` (`[v6]:PORT`) for a listener. */
export function parseListen(value: string): { host: string; port: number } {
  // Port 0 (any free port) is fine for a listener, unlike for a destination.
  const zero = value.endsWith(':0');
  const { host, port } = splitHostPort(zero ? value.slice(0, -2) : value, 0);
  return { host: host.startsWith('[') ? host.slice(1, -1) : host, port: zero ? 0 : port };
}

function openWriters(loaded: LoadedConfig): RecordWriter[] {
  const { access, json } = loaded.config.log;
  const writers: RecordWriter[] = [];
  if (access) writers.push(createRecordWriter(access, formatSquid));
  if (json) writers.push(createRecordWriter(json, formatJson));
  return writers;
}

/** Load the local config, with a remote policy document laid over it when there is one. */
function loadWith(configPath: string | undefined, remoteText: string | null): LoadedConfig {
  if (remoteText === null || configPath === undefined) return loadConfig(configPath);
  const merged = mergeRemotePolicy(readFileSync(configPath, 'utf8'), remoteText);
  return loadConfigText(merged, { file: configPath, baseDir: dirname(configPath) });
}

export function createGateway(opts: GatewayOptions): Gateway {
  const log = opts.logger;
  let loaded = loadConfig(opts.configPath);
  let remote: RemotePolicy | null = null;
  let version = 1;
  let runtime = buildRuntime(loaded, version);
  let writers = openWriters(loaded);
  let watcher: FileWatcher | undefined;
  let stopping: Promise<void> | undefined;
  const recordSubs = new Set<(r: AccessRecord) => void>();
  const reloadSubs = new Set<(l: LoadedConfig, v: number) => void>();
  const failSubs = new Set<(trigger: string, error: string) => void>();
  const p = loaded.config.policy;
  remote = createRemotePolicy({
    uri: p.source,
    region: p.region,
    endpoint: p.endpoint,
    pollSeconds: p.pollSeconds,
    cacheDir: loaded.config.storage.dir,
    logger: log,
    apply: (text, _version, trigger) => reload(trigger, text).ok,
  });
  const cached = remote?.current();
  if (cached) {
    // Enforce the cached remote policy from the start, even if the source is unreachable now.
    loaded = loadWith(opts.configPath, cached.text);
    runtime = buildRuntime(loaded, version);
  }
  for (const w of loaded.warnings) log.warn({ finding: w }, 'config warning');

  const sink = (r: AccessRecord): void => {
    for (const w of writers) w.write(r);
    for (const fn of recordSubs) {
      try {
        fn(r);
      } catch (e: unknown) {
        log.error({ err: errorMessage(e) }, 'record subscriber failed');
      }
    }
  };
  const proxy: DataPlane = (opts.dataPlane ?? createProxyServer)(
    { getRuntime: () => runtime, sink, logger: log, engine: loaded.config.engine },
    loaded,
  );

  const reload = (
    trigger: string,
    remoteText: string | null = remote?.current()?.text ?? null,
  ): ReloadResult => {
    let next: LoadedConfig;
    let nextRuntime: ProxyRuntime;
    try {
      next = loadWith(opts.configPath, remoteText);
      nextRuntime = buildRuntime(next, version + 1, runtime);
    } catch (e: unknown) {
      log.error({ trigger, err: errorMessage(e), version }, 'policy reload failed');
      for (const fn of failSubs) fn(trigger, errorMessage(e));
      return { ok: false, version, error: errorMessage(e) };
    }
    const logsChanged = JSON.stringify(next.config.log) !== JSON.stringify(loaded.config.log);
    loaded = next;
    runtime = nextRuntime;
    version += 1;
    if (logsChanged) {
      const old = writers;
      writers = openWriters(loaded);
      void Promise.all(old.map((w) => w.close()));
    } else for (const w of writers) w.reopen();
    watcher?.update(loaded.files);
    for (const w of loaded.warnings) log.warn({ finding: w }, 'config warning');
    log.info({ trigger, version, files: loaded.files.length }, 'policy reloaded');
    for (const fn of reloadSubs) fn(loaded, version);
    return { ok: true, version };
  };

  return {
    async start() {
      const { host, port } = parseListen(opts.listen ?? loaded.config.listen);
      const address = await proxy.listen(port, host);
      if (opts.configPath !== undefined && opts.watch !== false) {
        watcher = watchFiles(loaded.files, () => reload('file change'));
      }
      if (remote) {
        await remote.poll();
        remote.start();
      }
      log.info(
        { listen: `${address.address}:${address.port}`, config: loaded.path ?? 'built-in', version },
        'proxy listening',
      );
      return { proxy: address };
    },
    reload: (trigger) => reload(trigger),
    pollRemote: () => remote?.poll() ?? Promise.resolve(),
    stop() {
      stopping ??= (async () => {
        watcher?.close();
        remote?.stop();
        await proxy.close();
        await Promise.all(writers.map((w) => w.close()));
      })();
      return stopping;
    },
    current: () => ({ loaded, runtime }),
    stats: () => proxy.stats(),
    onRecord(fn) {
      recordSubs.add(fn);
      return () => recordSubs.delete(fn);
    },
    onReload(fn) {
      reloadSubs.add(fn);
      return () => reloadSubs.delete(fn);
    },
    onReloadFailed(fn) {
      failSubs.add(fn);
      return () => failSubs.delete(fn);
    },
  };
}
