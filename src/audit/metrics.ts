/**
 * @module audit/metrics
 * Prometheus metrics for the admin listener's `/metrics`, on a registry of their own (never the
 * global one): requests by decision, reason and scheme; bytes each way; DNS and connect latency;
 * active connections and tunnels; reloads and reload failures; the audit store's writes, queue and
 * drops. Fed by `observe()` per record (cheap: a few counter increments); gauges are read at scrape.
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

export function createMetrics(src: MetricsSources = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'cordon_requests_total',
    help: 'Requests and tunnels by decision, reason and scheme',
    labelNames: ['decision', 'reason', 'scheme'] as const,
    registers,
  });
  const wouldDeny = new Counter({
    name: 'cordon_would_deny_total',
    help: 'Requests allowed by report or learn mode that enforce would deny, by group',
    labelNames: ['group'] as const,
    registers,
  });
  const bytes = new Counter({
    name: 'cordon_bytes_total',
    help: 'Bytes relayed, up (client to destination) and down',
    labelNames: ['direction'] as const,
    registers,
  });
  const dns = new Histogram({
    name: 'cordon_dns_duration_seconds',
    help: 'Time to resolve an allowed destination',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const connect = new Histogram({
    name: 'cordon_connect_duration_seconds',
    help: 'Time to connect to the destination',
    buckets: LATENCY_BUCKETS,
    registers,
  });
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
      requests.inc({ decision: r.decision, reason: r.reason, scheme: r.scheme });
      if (r.wouldDeny) wouldDeny.inc({ group: r.group });
      if (r.bytesUp > 0) bytes.inc({ direction: 'up' }, r.bytesUp);
      if (r.bytesDown > 0) bytes.inc({ direction: 'down' }, r.bytesDown);
      if (r.dnsMs !== null) dns.observe(r.dnsMs / 1000);
      if (r.connectMs !== null) connect.observe(r.connectMs / 1000);
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
