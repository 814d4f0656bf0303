/**
 * @module bench/audit
 * Cordon's audit store counters as the benchmark sees them: reads `cordon_audit_written_total` and
 * `cordon_audit_dropped_total` from the admin listener's /metrics (public in the benchmark config),
 * and keeps a ledger per scenario, so the report can say how many decisions each scenario dropped
 * (issue 6: zero at the benchmark's load). Talks to 127.0.0.1 only; never stops a process itself.
 */
import { get } from 'node:http';
import { benchError, BENCH_ERRORS } from './errors.js';
import type { AuditCounts, ProxyUnderTest, ScenarioId } from './types.js';

export const AUDIT_METRICS = {
  written: 'cordon_audit_written_total',
  dropped: 'cordon_audit_dropped_total',
} as const;

const METRICS_TIMEOUT_MS = 5000;
// The admin listener opens just after the proxy port the harness waits for.
const METRICS_RETRY_MS = 10_000;

/** The value of an unlabelled sample `name` in Prometheus text, or NaN when it is not there. */
export function metricValue(text: string, name: string): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (!rest.startsWith(' ')) continue; // a longer name with the same prefix, or a labelled one
    return Number(rest.trim().split(' ')[0]);
  }
  return Number.NaN;
}

export function parseAuditMetrics(text: string): AuditCounts {
  return {
    written: metricValue(text, AUDIT_METRICS.written),
    dropped: metricValue(text, AUDIT_METRICS.dropped),
  };
}

function getText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/metrics', timeout: METRICS_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics answered ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('/metrics timed out')));
    req.on('error', reject);
  });
}

/** Read the audit counters of a running Cordon (retrying until its admin listener is up). */
export async function readAudit(proxy: ProxyUnderTest, retryMs = METRICS_RETRY_MS): Promise<AuditCounts> {
  if (proxy.adminPort === undefined) {
    throw benchError(BENCH_ERRORS.BAD_OUTPUT, `${proxy.name} has no admin listener`);
  }
  const deadline = Date.now() + retryMs;
  for (;;) {
    try {
      return parseAuditMetrics(await getText(proxy.adminPort));
    } catch (e: unknown) {
      if (Date.now() > deadline) {
        throw benchError(BENCH_ERRORS.BAD_OUTPUT, `could not read Cordon's /metrics`, e);
      }
      await new Promise((r) => setTimeout(r, 200)); // retry interval, bounded by the deadline
    }
  }
}

export interface AuditLedger {
  /** The scenario that counters read from now on belong to. */
  scenario: ScenarioId | undefined;
  /** Read a Cordon's counters and book what changed since its last read under the current scenario. */
  collect(proxy: ProxyUnderTest): Promise<void>;
  /** Wrap a fresh Cordon so its counters are collected just before it stops. */
  track(proxy: ProxyUnderTest): ProxyUnderTest;
  /** What was booked under `id` (undefined when no Cordon ran in it). */
  counts(id: ScenarioId): AuditCounts | undefined;
  /** Failures to read /metrics, for the report's error list. */
  readonly errors: string[];
}

export function createAuditLedger(retryMs = METRICS_RETRY_MS): AuditLedger {
  const last = new Map<number, AuditCounts>();
  const booked = new Map<ScenarioId, AuditCounts>();
  const errors: string[] = [];
  const ledger: AuditLedger = {
    scenario: undefined,
    errors,
    async collect(proxy) {
      const id = ledger.scenario;
      if (proxy.name !== 'cordon' || id === undefined) return;
      let now: AuditCounts;
      try {
        now = await readAudit(proxy, retryMs);
      } catch (e: unknown) {
        errors.push(`(${id}) audit counters of Cordon pid ${proxy.pid}: ${String(e)}`);
        now = { written: Number.NaN, dropped: Number.NaN };
      }
      const before = last.get(proxy.pid) ?? { written: 0, dropped: 0 };
      if (!Number.isNaN(now.written)) last.set(proxy.pid, now);
      const sum = booked.get(id) ?? { written: 0, dropped: 0 };
      booked.set(id, {
        written: sum.written + (now.written - before.written),
        dropped: sum.dropped + (now.dropped - before.dropped),
      });
    },
    track(proxy) {
      if (proxy.name !== 'cordon') return proxy;
      return {
        ...proxy,
        stop: async () => {
          const { exitCode, signalCode } = proxy.proc.child;
          if (exitCode === null && signalCode === null) await ledger.collect(proxy);
          await proxy.stop();
        },
      };
    },
    counts: (id) => booked.get(id),
  };
  return ledger;
}
