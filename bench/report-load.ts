/**
 * @module bench/report-load
 * The report's rows for the load and soak scenarios (e–g) with their goals, and the audit-store
 * table (records Cordon's store wrote and dropped in each scenario; issue 6 wants zero drops). Pure.
 */
import type { Goal, MetricDef } from './report.js';
import type { ScenarioResult } from './types.js';

const atMost = (value: number): Goal => ({ vs: 'absolute', op: '<=', value });
const atLeast = (value: number): Goal => ({ vs: 'absolute', op: '>=', value });
const down = (factor: number): Goal => ({ vs: 'squid', op: '<=', factor });

/** Memory has returned once RSS is back within this factor of the baseline (10%: GC and allocator noise). */
export const RETURNED_FACTOR = 1.1;
/** A soak leaks when its RSS at the end is more than this factor of its RSS after the warm-up. */
export const SOAK_GROWTH_FACTOR = 1.1;
/** Real traffic should keep this share of its rate beside 2,000 slow connections. */
export const SLOWLORIS_KEPT = 0.8;

export const LOAD_METRICS: readonly MetricDef[] = [
  { scenario: 'e', key: 'holdBaseMiB', label: 'RSS at baseline (warmed, no tunnels)', unit: 'MiB' },
  { scenario: 'e', key: 'holdFullMiB', label: 'RSS, 9,000 idle tunnels', unit: 'MiB', goal: down(1) },
  {
    scenario: 'e',
    key: 'holdPerTunnelKiB',
    label: 'RSS per idle tunnel (9,000)',
    unit: 'KiB',
    goal: atMost(16),
  },
  { scenario: 'e', key: 'holdHeld', label: 'tunnels held at once', unit: 'count', goal: atLeast(9000) },
  { scenario: 'e', key: 'holdOpenS', label: 'time to open 9,000 tunnels', unit: 's' },
  { scenario: 'e', key: 'holdAfterMiB', label: 'RSS after all closed, settled', unit: 'MiB' },
  {
    scenario: 'e',
    key: 'holdAfterRatio',
    label: 'RSS after close / baseline',
    unit: '×',
    goal: atMost(RETURNED_FACTOR),
  },
  { scenario: 'e', key: 'holdReturnS', label: 'time for RSS to return to baseline', unit: 's' },
  { scenario: 'e', key: 'exhaustOk', label: 'fd limit 2,000: tunnels opened of 1,500', unit: 'count' },
  { scenario: 'e', key: 'exhaust429', label: 'fd limit: answered 429', unit: 'count' },
  { scenario: 'e', key: 'exhaust503', label: 'fd limit: answered 503', unit: 'count' },
  { scenario: 'e', key: 'exhaustOtherStatus', label: 'fd limit: answered another status', unit: 'count' },
  { scenario: 'e', key: 'exhaustClosed', label: 'fd limit: closed with no answer', unit: 'count' },
  {
    scenario: 'e',
    key: 'exhaustTimeout',
    label: 'fd limit: no answer within 10 s (or another failure)',
    unit: 'count',
  },
  {
    scenario: 'e',
    key: 'exhaustAlive',
    label: 'fd limit: process stayed up (1 = yes)',
    unit: 'yes/no',
    goal: atLeast(1),
  },
  {
    scenario: 'e',
    key: 'exhaustRecovered',
    label: 'fd limit: normal request served after (1 = yes)',
    unit: 'yes/no',
    goal: atLeast(1),
  },
  {
    scenario: 'e',
    key: 'exhaustRecoveryMs',
    label: 'fd limit: normal request served, after the close',
    unit: 'ms',
  },
  { scenario: 'f', key: 'soakOps', label: 'soak: operations', unit: 'total' },
  { scenario: 'f', key: 'soakErrors', label: 'soak: errors', unit: 'total', goal: atMost(0) },
  { scenario: 'f', key: 'soakErrorsFirst', label: 'soak: errors in the first interval', unit: 'count' },
  { scenario: 'f', key: 'soakErrorsLast', label: 'soak: errors in the last interval', unit: 'count' },
  {
    scenario: 'f',
    key: 'soakErrorGrowth',
    label: 'soak: error growth (last − first)',
    unit: 'count',
    goal: atMost(0),
  },
  { scenario: 'f', key: 'soakSkipped', label: 'soak: starts skipped (too many in flight)', unit: 'total' },
  { scenario: 'f', key: 'soakRssWarmMiB', label: 'soak: RSS after warm-up', unit: 'MiB' },
  { scenario: 'f', key: 'soakRssFinalMiB', label: 'soak: RSS at the end', unit: 'MiB' },
  {
    scenario: 'f',
    key: 'soakRssGrowth',
    label: 'soak: RSS end / after warm-up',
    unit: '×',
    goal: atMost(SOAK_GROWTH_FACTOR),
  },
  { scenario: 'f', key: 'soakSlopeMiBPerMin', label: 'soak: RSS slope after warm-up', unit: 'MiB/min' },
  { scenario: 'g', key: 'slowRpsBase', label: 'small responses, no flood', unit: 'req/s' },
  {
    scenario: 'g',
    key: 'slowRpsFlood',
    label: 'small responses, 2,000 slow connections',
    unit: 'req/s',
    goal: { vs: 'squid', op: '>=', factor: 1 },
  },
  {
    scenario: 'g',
    key: 'slowRpsKept',
    label: 'req/s kept under the flood',
    unit: '×',
    goal: atLeast(SLOWLORIS_KEPT),
  },
  { scenario: 'g', key: 'slowP99Base', label: 'latency p99, no flood', unit: 'ms' },
  { scenario: 'g', key: 'slowP99Flood', label: 'latency p99, with flood', unit: 'ms', goal: down(1) },
  {
    scenario: 'g',
    key: 'slowErrors',
    label: 'failed requests (both runs)',
    unit: 'total',
    sum: true,
    goal: atMost(0),
  },
  { scenario: 'g', key: 'slowOpen', label: 'slow connections open at the end', unit: 'count' },
  { scenario: 'g', key: 'slowClosed', label: 'slow connections closed by the proxy', unit: 'count' },
  { scenario: 'g', key: 'slowRssGrowthMiB', label: 'RSS growth with the flood', unit: 'MiB' },
  { scenario: 'g', key: 'slowPerConnKiB', label: 'RSS per slow connection', unit: 'KiB' },
];

const count = (n: number): string => (Number.isFinite(n) ? n.toLocaleString('en-US') : 'unknown');

/** One row per scenario that ran a Cordon, and the total; `met` is whether nothing was dropped. */
export function auditTable(results: readonly ScenarioResult[]): { markdown: string; dropped: number } {
  const lines = ['| scenario | decisions written | dropped |', '|---|--:|--:|'];
  let written = 0;
  let dropped = 0;
  for (const r of results) {
    if (!r.audit) continue;
    written += r.audit.written;
    dropped += r.audit.dropped;
    lines.push(`| (${r.id}) | ${count(r.audit.written)} | ${count(r.audit.dropped)} |`);
  }
  lines.push(`| total | ${count(written)} | ${count(dropped)} |`);
  return { markdown: lines.join('\n'), dropped };
}

/**
 * The report sections after the main table: each scenario's details (timelines, outcome lists) and
 * the audit-store table; plus a "goals missed" line when the store dropped anything.
 */
export function loadSections(results: readonly ScenarioResult[]): { lines: string[]; missed: string[] } {
  const lines: string[] = [];
  for (const d of results.flatMap((r) => r.details ?? [])) lines.push(`## ${d.title}`, '', d.markdown, '');
  if (!results.some((r) => r.audit)) return { lines, missed: [] };
  const audit = auditTable(results);
  lines.push(
    "## Cordon's audit store (cordon_audit_dropped_total, goal 0)",
    '',
    'Every Cordon in the run keeps its SQLite audit store and admin listener on, as in production;',
    'its /metrics is read after each scenario (a fresh process just before it stops). "Written" counts',
    'what the store had committed by then; records still in its queue are written later, not dropped.',
    '',
    audit.markdown,
    '',
  );
  const missed =
    audit.dropped === 0
      ? []
      : [
          `audit store dropped ${Number.isFinite(audit.dropped) ? audit.dropped : 'an unknown number of'} records: goal 0`,
        ];
  return { lines, missed };
}
