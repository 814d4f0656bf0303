/**
 * @module bench/types
 * Types shared by the benchmark's parts: the targets compared, a running proxy, the run context
 * and the samples a scenario returns. Types only.
 */
import type { Origin } from './origin.js';
import type { Proc, ProcSet } from './procs.js';

export type ProxyName = 'cordon' | 'squid';
/**
 * `direct` is the client talking to the origin with no proxy: the ceiling. `cluster` is a second
 * long-running Cordon with `workers: auto`, not pinned to a core (scenarios a–c only). `floor` is
 * bench/floor-proxy.mjs, the least a Node forward proxy does, pinned like Cordon (scenarios a–d).
 */
export type Target = 'direct' | ProxyName | 'cluster' | 'floor';
export const PROXIES: readonly ProxyName[] = ['cordon', 'squid'];

export interface ProxyUnderTest {
  readonly name: ProxyName | 'floor';
  readonly port: number;
  /** The proxy's own pid (after `exec`); CPU and RSS are read for it and its descendants. */
  readonly pid: number;
  readonly proc: Proc;
  /** Its temp folder: config, allowlists, access logs. */
  readonly dir: string;
  /** Cordon's admin listener (metrics, audit counters); undefined for squid. */
  readonly adminPort?: number;
  stop(): Promise<void>;
}

export interface Cores {
  /** Core of the load generators (wrk, curl, node loaders); undefined when not pinned. */
  load: number | undefined;
  /** Core of the proxy and the origin. */
  server: number | undefined;
}

export interface RunOptions {
  quick: boolean;
  reps: number;
  only: ReadonlySet<ScenarioId>;
  /** Leave the temp folder (configs, access logs, profiles) in place and print its path. */
  keep: boolean;
  /** Run the long-running Cordon with `--cpu-prof` and report its hottest functions. */
  profile: boolean;
  /** Length of the mixed soak, scenario (f). */
  soakMinutes: number;
}

/** How a scenario wants a fresh proxy set up (scenarios e–g); the default is the plain benchmark config. */
export interface ProxyTuning {
  /** Connection caps (Cordon) and descriptor limit (squid) raised for many thousand tunnels. */
  manyConnections?: boolean;
  /** Start the proxy under `prlimit --nofile=N:N` (descriptor exhaustion probe). */
  nofile?: number;
}

export interface BenchContext {
  readonly root: string;
  readonly dir: string;
  readonly procs: ProcSet;
  readonly origin: Origin;
  readonly cores: Cores;
  readonly opts: RunOptions;
  /** The long-running proxies, started once for scenarios a–c. */
  readonly proxies: Readonly<Record<ProxyName, ProxyUnderTest>>;
  /** Cordon with `workers: auto` on every core, the all-cores figure; undefined when a–c do not run. */
  readonly cluster?: ProxyUnderTest;
  /** The long-running Node floor; undefined when a–c do not run. */
  readonly floor?: ProxyUnderTest;
  /** Measured windows of the long-running Cordon, for cutting its CPU profile by scenario. */
  readonly windows: ProfileWindow[];
  /** Start a fresh instance (scenario d measures memory on new processes). */
  startProxy(name: ProxyName, profile?: boolean, tuning?: ProxyTuning): Promise<ProxyUnderTest>;
  /** Start a fresh Node floor (scenario d). */
  startFloor(): Promise<ProxyUnderTest>;
  log(msg: string): void;
}

export interface ProfileWindow {
  /** Usage prefix of the run: `a`, `bhttp`, `bhttps`, `cconnect`, `ctls`. */
  label: string;
  /** CLOCK_MONOTONIC microseconds, the clock of V8's profile timestamps. */
  fromUs: number;
  toUs: number;
}

export type ScenarioId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';
export const SCENARIOS: readonly ScenarioId[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
/** What runs without `--only`: everything but the long soak (f). */
export const DEFAULT_SCENARIOS: readonly ScenarioId[] = ['a', 'b', 'c', 'd', 'e', 'g'];
/** Scenarios that use the long-running proxies; the others start fresh processes. */
export const LONG_RUNNING_SCENARIOS: readonly ScenarioId[] = ['a', 'b', 'c'];

/** One repetition's numbers for one target, by metric key. */
export type Sample = Record<string, number>;
export type Samples = Partial<Record<Target, Sample[]>>;

export interface ScenarioResult {
  id: ScenarioId;
  samples: Samples;
  /** Failures seen (non-200 answers, socket errors), as text for the report. */
  errors: string[];
  /** Cordon's audit store counters over the scenario (from its /metrics), filled in by run.ts. */
  audit?: AuditCounts;
  /** Extra report sections (a timeline, an outcome list), already rendered as Markdown. */
  details?: { title: string; markdown: string }[];
}

export interface AuditCounts {
  written: number;
  dropped: number;
}
