/**
 * @module audit/metrics
 * Prometheus metrics for the admin listener's `/metrics`, on a registry of their own (never the
 * global one): requests by decision, reason and scheme; bytes each way; DNS and connect latency;
 * active connections and tunnels; reloads and reload failures; the audit store's writes, queue and
 * drops. Fed by `observe()` per record: the labelled counters are plain numbers in nested maps on
 * that path (prom-client hashes a labels object into a new string on every `inc()`) and are handed
 * to prom-client at scrape time, like the gauges; the latency histograms keep their values in an
 * array until then.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AccessRecord } from '../proxy/records.js';
import type { AuditStoreStats } from './store.js';

export interface MetricsSources {
  /** Open connections and tunnels right now. */
  connections?: () => { connections: number; tunnels: number };
  audit?: () => AuditStoreStats;
  policyVersion?: () => number;
}

export interface Metrics {
  readonly registry: Registry;
  observe(r: AccessRecord): void;
  reloaded(ok: boolean): void;
  /** The exposition text, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

// Seconds; DNS answers come in well under a millisecond from a cache and seconds when a server is slow.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Counts by up to three label values, as plain numbers in nested maps: a record's values are the
 * policy's own strings (decision, reason, scheme, group), so no key is built or hashed per record.
 */
class Tally {
  private readonly counts = new Map<string, Map<string, Map<string, number>>>();

  add(n: number, a: string, b = '', c = ''): void {
    let byB = this.counts.get(a);
    if (byB === undefined) this.counts.set(a, (byB = new Map<string, Map<string, number>>()));
    let byC = byB.get(b);
    if (byC === undefined) byB.set(b, (byC = new Map<string, number>()));
    byC.set(c, (byC.get(c) ?? 0) + n);
  }

  /** Every combination of label values (the first `width`) with its count. */
  *entries(width: number): Generator<[string[], number]> {
    for (const [a, byB] of this.counts)
      for (const [b, byC] of byB) for (const [c, n] of byC) yield [[a, b, c].slice(0, width), n];
  }
}

/** A prom-client counter whose values come from `tally` at scrape time. */
function tallyCounter<L extends string>(
  registers: Registry[],
  name: string,
  help: string,
  labelNames: readonly L[],
  tally: Tally,
): void {
  new Counter<L>({
    name,
    help,
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const [values, n] of tally.entries(labelNames.length)) {
        const labels = Object.fromEntries(labelNames.map((l, i) => [l, values[i] ?? ''])) as Record<
          L,
          string
        >;
        this.inc(labels, n);
      }
    },
  });
}

/** Observations a kept histogram holds before it hands them to prom-client (also done at every scrape). */
const KEPT_OBSERVATIONS = 1024;

/**
 * A latency histogram fed per record: the values are kept in an array and handed to prom-client's
 * histogram in one loop, at scrape time or once 1,024 wait. prom-client hashes a labels object on
 * every `observe()`, which cost several µs per new connection in place (about 1 % of a CONNECT).
 */
function keptHistogram(registers: Registry[], name: string, help: string): (seconds: number) => void {
  let kept: number[] = [];
  const hand = (h: Histogram): void => {
    const values = kept;
    kept = [];
    for (const v of values) h.observe(v);
  };
  const histogram = new Histogram({
    name,
    help,
    buckets: LATENCY_BUCKETS,
    registers,
    collect() {
      hand(this);
    },
  });
  return (seconds) => {
    kept.push(seconds);
    if (kept.length >= KEPT_OBSERVATIONS) hand(histogram);
  };
}

export function createMetrics(src: MetricsSources = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Tally();
  const wouldDeny = new Tally();
  const bytes = new Tally();
  tallyCounter(
    registers,
    'cordon_requests_total',
    'Requests and tunnels by decision, reason and scheme',
    ['decision', 'reason', 'scheme'],
    requests,
  );
  tallyCounter(
    registers,
    'cordon_would_deny_total',
    'Requests allowed by report or learn mode that enforce would deny, by group',
    ['group'],
    wouldDeny,
  );
  tallyCounter(
    registers,
    'cordon_bytes_total',
    'Bytes relayed, up (client to destination) and down',
    ['direction'],
    bytes,
  );
  const dns = keptHistogram(
    registers,
    'cordon_dns_duration_seconds',
    'Time to resolve an allowed destination by a DNS question (kept answers and dns.hosts entries are not counted)',
  );
  const connect = keptHistogram(
    registers,
    'cordon_connect_duration_seconds',
    'Time to open a new connection to the destination (reused upstream connections are not counted)',
  );
  const reloads = new Counter({ name: 'cordon_reloads_total', help: 'Successful policy reloads', registers });
  const reloadFailures = new Counter({
    name: 'cordon_reload_failures_total',
    help: 'Policy reloads refused (invalid policy; the last good one stayed in force)',
    registers,
  });
  gauges(registry, src);
  return {
    registry,
    observe(r) {
      requests.add(1, r.decision, r.reason, r.scheme);
      if (r.wouldDeny) wouldDeny.add(1, r.group);
      if (r.bytesUp > 0) bytes.add(r.bytesUp, 'up');
      if (r.bytesDown > 0) bytes.add(r.bytesDown, 'down');
      // A kept DNS answer, a dns.hosts entry and a reused upstream connection are recorded as 0 ms
      // (and an IP literal as no DNS at all): only real lookups and dials are timed here.
      if (r.dnsMs !== null && r.dnsMs > 0) dns(r.dnsMs / 1000);
      if (r.connectMs !== null && r.connectMs > 0) connect(r.connectMs / 1000);
    },
    reloaded(ok) {
      (ok ? reloads : reloadFailures).inc();
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** Values read at scrape time from their sources. */
function gauges(registry: Registry, src: MetricsSources): void {
  const registers = [registry];
  const gauge = (name: string, help: string, read: () => number | undefined): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const v = read();
        if (v !== undefined) this.set(v);
      },
    });
  };
  gauge('cordon_active_connections', 'Open client connections', () => src.connections?.().connections);
  gauge('cordon_active_tunnels', 'Open CONNECT tunnels', () => src.connections?.().tunnels);
  gauge('cordon_policy_version', 'Version of the policy in force', () => src.policyVersion?.());
  gauge(
    'cordon_audit_queue_length',
    'Records waiting to be written to the audit store',
    () => src.audit?.().queued,
  );
  const counter = (name: string, help: string, read: () => number | undefined): void => {
    let last = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        const v = read();
        if (v !== undefined && v > last) this.inc(v - last);
        if (v !== undefined) last = Math.max(last, v);
      },
    });
  };
  counter('cordon_audit_written_total', 'Records written to the audit store', () => src.audit?.().written);
  counter(
    'cordon_audit_dropped_total',
    'Records dropped because the audit store fell behind (or a write failed)',
    () => src.audit?.().dropped,
  );
}
