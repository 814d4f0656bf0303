/**
 * @module bench/soak-stats
 * What the mixed soak (f) concludes from its per-interval points: error growth (errors in the last
 * interval against the first), and leak figures after the warm-up (RSS slope per minute by least
 * squares, and the final RSS against the RSS right after the warm-up); plus the timeline table of
 * the report. Pure: numbers in, numbers and Markdown out.
 */
import { fmt } from './report.js';

export interface SoakPoint {
  /** Minutes since the soak started, at the end of the interval. */
  minute: number;
  rssKiB: number;
  ok: number;
  errors: number;
  skipped: number;
  /** Cordon's audit store on disk (database + WAL), MiB: its page cache grows with it, up to a bound. */
  storeMiB?: number;
}

export interface SoakSummary {
  ops: number;
  errors: number;
  errorsFirst: number;
  errorsLast: number;
  /** Errors in the last interval minus the first: above 0 means errors grew. */
  errorGrowth: number;
  rssWarmMiB: number;
  rssFinalMiB: number;
  /** Final RSS / RSS after the warm-up. */
  rssGrowth: number;
  /** Least-squares slope of RSS over the points after the warm-up, MiB per minute. */
  slopeMiBPerMin: number;
  skipped: number;
}

/** Interval length for a soak of `minutes`: one minute, or 10 s when the soak is under 6 minutes. */
export function soakIntervals(minutes: number): { intervalMs: number; intervals: number; warmup: number } {
  const intervals = minutes >= 6 ? minutes : minutes * 6;
  const intervalMs = (minutes * 60_000) / intervals;
  // The first fifth (at least one interval) is warm-up: JIT, pools, caches and the store's first pages.
  return { intervalMs, intervals, warmup: Math.max(1, Math.round(intervals / 5)) };
}

/** Slope of y over x by least squares; NaN for fewer than two distinct x. */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

export function summarizeSoak(points: readonly SoakPoint[], warmup: number): SoakSummary {
  const sum = (f: (p: SoakPoint) => number): number => points.reduce((a, p) => a + f(p), 0);
  const first = points[0];
  const last = points[points.length - 1];
  // The point at the end of the warm-up starts the leak window.
  const after = points.slice(Math.min(warmup, points.length) - 1);
  const warm = after[0];
  const rssWarmMiB = (warm?.rssKiB ?? Number.NaN) / 1024;
  const rssFinalMiB = (last?.rssKiB ?? Number.NaN) / 1024;
  return {
    ops: sum((p) => p.ok + p.errors),
    errors: sum((p) => p.errors),
    errorsFirst: first?.errors ?? Number.NaN,
    errorsLast: last?.errors ?? Number.NaN,
    errorGrowth: (last?.errors ?? Number.NaN) - (first?.errors ?? Number.NaN),
    rssWarmMiB,
    rssFinalMiB,
    rssGrowth: rssFinalMiB / rssWarmMiB,
    slopeMiBPerMin: slope(after.map((p) => ({ x: p.minute, y: p.rssKiB / 1024 }))),
    skipped: sum((p) => p.skipped),
  };
}

/** Minutes as `m:ss`. */
export function clock(minutes: number): string {
  if (!Number.isFinite(minutes)) return '–';
  const s = Math.round(minutes * 60);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Timeline: one row per interval, both proxies side by side (a store column where there is one). */
export function soakTimeline(byProxy: Readonly<Record<string, readonly SoakPoint[]>>): string {
  const names = Object.keys(byProxy);
  const hasStore = (n: string): boolean => (byProxy[n] ?? []).some((p) => p.storeMiB !== undefined);
  const head = names.flatMap((n) => [
    `${n} RSS MiB`,
    ...(hasStore(n) ? [`${n} store MiB`] : []),
    `${n} ops/s`,
    `${n} errors`,
  ]);
  const lines = [`| time | ${head.join(' | ')} |`, `|--:|${head.map(() => '--:|').join('')}`];
  const rows = Math.max(0, ...names.map((n) => byProxy[n]?.length ?? 0));
  const minuteAt = (i: number): number =>
    i < 0 ? 0 : (names.map((n) => byProxy[n]?.[i]?.minute).find((m) => m !== undefined) ?? Number.NaN);
  for (let i = 0; i < rows; i++) {
    const seconds = (minuteAt(i) - minuteAt(i - 1)) * 60;
    const cells = names.flatMap((n) => {
      const p = byProxy[n]?.[i];
      const store = hasStore(n) ? [p?.storeMiB === undefined ? '–' : fmt(p.storeMiB)] : [];
      if (!p) return ['–', ...store, '–', '–'];
      return [fmt(p.rssKiB / 1024), ...store, fmt((p.ok + p.errors) / seconds), String(p.errors)];
    });
    lines.push(`| ${clock(minuteAt(i))} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
