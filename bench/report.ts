/**
 * @module bench/report
 * Turns scenario samples into the report: for every metric the median with min–max per target,
 * the Cordon/squid, Cordon/direct and Node floor/squid ratios, the goal from the issue and whether
 * it is met (judged on the one-core Cordon only); then a "where the time goes" table of CPU shares
 * per scenario. Markdown for people, JSON for tools.
 * Pure: formats numbers, does no I/O.
 */
import { LOAD_METRICS } from './report-load.js';
import { summarize, type Summary } from './stats.js';
import type { ScenarioId, ScenarioResult, Target } from './types.js';

export type Goal =
  { vs: 'squid'; op: '>=' | '<='; factor: number } | { vs: 'absolute'; op: '<=' | '>='; value: number };

export interface MetricDef {
  scenario: ScenarioId;
  key: string;
  label: string;
  unit: string;
  goal?: Goal;
  /** Errors are added up over repetitions, not summarised. */
  sum?: boolean;
}

const up = (factor: number): Goal => ({ vs: 'squid', op: '>=', factor });
const down = (factor: number): Goal => ({ vs: 'squid', op: '<=', factor });

export const METRICS: readonly MetricDef[] = [
  { scenario: 'a', key: 'rps', label: 'small responses, keep-alive', unit: 'req/s', goal: up(2) },
  { scenario: 'a', key: 'p50Ms', label: 'latency p50', unit: 'ms' },
  { scenario: 'a', key: 'p99Ms', label: 'latency p99', unit: 'ms', goal: down(1) },
  { scenario: 'a', key: 'cpuUsPerReq', label: 'proxy CPU per request', unit: 'µs', goal: down(0.5) },
  { scenario: 'a', key: 'errors', label: 'failed requests', unit: 'total', sum: true },
  { scenario: 'b', key: 'httpMBps', label: '100 MiB, plain HTTP', unit: 'MB/s', goal: up(2) },
  { scenario: 'b', key: 'httpsMBps', label: '100 MiB, CONNECT tunnel', unit: 'MB/s', goal: up(1) },
  { scenario: 'b', key: 'httpCpuMs', label: 'proxy CPU per 100 MiB, plain HTTP', unit: 'ms' },
  { scenario: 'b', key: 'httpsCpuMs', label: 'proxy CPU per 100 MiB, CONNECT', unit: 'ms', goal: down(0.8) },
  { scenario: 'c', key: 'connectRate', label: 'CONNECT-only', unit: 'ops/s', goal: up(1) },
  { scenario: 'c', key: 'connectP50Ms', label: 'CONNECT-only p50', unit: 'ms' },
  { scenario: 'c', key: 'connectP99Ms', label: 'CONNECT-only p99', unit: 'ms' },
  { scenario: 'c', key: 'connectCpuUs', label: 'proxy CPU per CONNECT', unit: 'µs', goal: down(1) },
  { scenario: 'c', key: 'connectErrors', label: 'failed CONNECTs', unit: 'total', sum: true },
  { scenario: 'c', key: 'tlsRate', label: 'CONNECT + TLS + GET', unit: 'ops/s' },
  { scenario: 'c', key: 'tlsP50Ms', label: 'CONNECT + TLS + GET p50', unit: 'ms' },
  { scenario: 'c', key: 'tlsP99Ms', label: 'CONNECT + TLS + GET p99', unit: 'ms' },
  { scenario: 'c', key: 'tlsCpuUs', label: 'proxy CPU per CONNECT + TLS + GET', unit: 'µs', goal: down(1) },
  { scenario: 'c', key: 'tlsErrors', label: 'failed CONNECT + TLS + GET', unit: 'total', sum: true },
  { scenario: 'd', key: 'rss10MiB', label: 'RSS, 10 idle tunnels', unit: 'MiB' },
  { scenario: 'd', key: 'rss1000MiB', label: 'RSS, 1,000 idle tunnels', unit: 'MiB', goal: down(1) },
  {
    scenario: 'd',
    key: 'perTunnelKiB',
    label: 'RSS per extra idle tunnel',
    unit: 'KiB',
    goal: { vs: 'absolute', op: '<=', value: 16 },
  },
  ...LOAD_METRICS,
];

/** Rows of the "where the time goes" table: usage-metric prefix and what it measured. */
const USAGE_ROWS: readonly { scenario: ScenarioId; prefix: string; label: string }[] = [
  { scenario: 'a', prefix: 'a', label: '(a) small responses' },
  { scenario: 'b', prefix: 'bhttp', label: '(b) 100 MiB plain HTTP' },
  { scenario: 'b', prefix: 'bhttps', label: '(b) 100 MiB CONNECT' },
  { scenario: 'c', prefix: 'cconnect', label: '(c) CONNECT-only' },
  { scenario: 'c', prefix: 'ctls', label: '(c) CONNECT + TLS + GET' },
];

const TARGETS: readonly Target[] = ['direct', 'cordon', 'squid', 'cluster', 'floor'];

export interface MetricSummary {
  scenario: ScenarioId;
  key: string;
  label: string;
  unit: string;
  values: Partial<Record<Target, Summary>>;
  cordonVsSquid: number;
  cordonVsDirect: number;
  /** The Node floor's median over squid's: how far Node alone is from the goal's yardstick. */
  floorVsSquid: number;
  goal: string;
  met: boolean | null;
}

function valuesOf(
  results: readonly ScenarioResult[],
  scenario: ScenarioId,
  target: Target,
  key: string,
): number[] {
  const r = results.find((x) => x.id === scenario);
  return (r?.samples[target] ?? []).map((s) => s[key] ?? Number.NaN);
}

function goalText(g: Goal | undefined): string {
  if (!g) return '';
  if (g.vs === 'absolute') return `${g.op === '<=' ? '≤' : '≥'} ${g.value}`;
  return `${g.op === '<=' ? '≤' : '≥'} ${g.factor}× squid`;
}

function goalMet(g: Goal | undefined, cordon: number, ratio: number): boolean | null {
  if (!g) return null;
  const [x, bound] = g.vs === 'absolute' ? [cordon, g.value] : [ratio, g.factor];
  if (Number.isNaN(x)) return null;
  return g.op === '<=' ? x <= bound : x >= bound;
}

export function summarizeAll(results: readonly ScenarioResult[]): MetricSummary[] {
  const out: MetricSummary[] = [];
  for (const m of METRICS) {
    if (!results.some((r) => r.id === m.scenario)) continue;
    const values: Partial<Record<Target, Summary>> = {};
    for (const t of TARGETS) {
      const v = valuesOf(results, m.scenario, t, m.key);
      if (v.length === 0) continue;
      const total = v.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
      values[t] = m.sum ? { median: total, min: total, max: total, n: v.length } : summarize(v);
    }
    const med = (t: Target): number => values[t]?.median ?? Number.NaN;
    const cordonVsSquid = m.sum ? Number.NaN : med('cordon') / med('squid');
    out.push({
      ...m,
      values,
      cordonVsSquid,
      cordonVsDirect: m.sum ? Number.NaN : med('cordon') / med('direct'),
      floorVsSquid: m.sum ? Number.NaN : med('floor') / med('squid'),
      goal: goalText(m.goal),
      met: goalMet(m.goal, med('cordon'), cordonVsSquid),
    });
  }
  return out;
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function cell(s: Summary | undefined): string {
  if (!s || s.n === 0 || Number.isNaN(s.median)) return '–';
  if (s.n === 1 || s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

export function markdownTable(rows: readonly MetricSummary[]): string {
  const lines = [
    '| scenario | metric | unit | direct | Cordon | squid | Cordon/squid | Cordon/direct | Cordon cluster | Node floor | floor/squid | goal | met |',
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ];
  for (const r of rows) {
    const met = r.met === null ? '' : r.met ? 'yes' : '**no**';
    lines.push(
      `| (${r.scenario}) | ${r.label} | ${r.unit} | ${cell(r.values.direct)} | ${cell(r.values.cordon)} | ` +
        `${cell(r.values.squid)} | ${ratio(r.cordonVsSquid)} | ${ratio(r.cordonVsDirect)} | ${cell(r.values.cluster)} | ` +
        `${cell(r.values.floor)} | ${ratio(r.floorVsSquid)} | ${r.goal} | ${met} |`,
    );
  }
  return lines.join('\n');
}

/** CPU shares (% of one core, medians): proxy process, origin process, server core, load core. */
export function usageTable(results: readonly ScenarioResult[]): string {
  const lines = [
    '| scenario | target | proxy CPU | origin CPU | others (server core) | server core busy | load core busy |',
    '|---|---|--:|--:|--:|--:|--:|',
  ];
  for (const row of USAGE_ROWS) {
    if (!results.some((r) => r.id === row.scenario)) continue;
    for (const t of TARGETS) {
      if (valuesOf(results, row.scenario, t, `${row.prefix}ServerCorePct`).length === 0) continue;
      const med = (k: string): number =>
        summarize(valuesOf(results, row.scenario, t, `${row.prefix}${k}`)).median;
      const pct = (x: number): string => (Number.isNaN(x) ? '–' : `${Math.max(0, x).toFixed(0)}%`);
      const proxy = t === 'direct' ? 0 : med('ProxyPct');
      // The cluster is not pinned to the server core, so "the rest of the server core" means nothing for it.
      const others = t === 'cluster' ? Number.NaN : med('ServerCorePct') - proxy - med('OriginPct');
      lines.push(
        `| ${row.label} | ${t} | ${t === 'direct' ? '–' : pct(proxy)} | ${pct(med('OriginPct'))} | ${pct(others)} | ` +
          `${pct(med('ServerCorePct'))} | ${pct(med('LoadCorePct'))} |`,
      );
    }
  }
  return lines.join('\n');
}
