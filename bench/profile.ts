/**
 * @module bench/profile
 * Reads the V8 CPU profile(s) that `node --cpu-prof` wrote for Cordon during a `--profile` run and
 * says where its time went during the measured runs only (start-up and warm-ups left out): self
 * time by function for each scenario, and by file over all of them, as shares of the sampled time
 * that was not idle. Reads files only.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfileWindow } from './types.js';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  busyMs: number;
  byLabel: { label: string; busyMs: number; functions: ProfileEntry[] }[];
  files: ProfileEntry[];
}

const TOP_FUNCTIONS = 10;
const TOP_FILES = 12;
const LABELS: Record<string, string> = {
  a: '(a) small responses',
  bhttp: '(b) 100 MiB plain HTTP',
  bhttps: '(b) 100 MiB CONNECT',
  cconnect: '(c) CONNECT-only',
  ctls: '(c) CONNECT + TLS + GET',
};

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const i = url.indexOf('/node_modules/');
  if (i >= 0) return url.slice(i + 14);
  const d = url.indexOf('/dist/');
  return d >= 0 ? `dist/${url.slice(d + 6)}` : url.replace(/^file:\/\//, '');
}

function top(map: Map<string, number>, busyUs: number, n: number): ProfileEntry[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / busyUs }));
}

const add = (m: Map<string, number>, k: string, v: number): void => void m.set(k, (m.get(k) ?? 0) + v);

interface Tally {
  busy: Map<string, number>;
  byFn: Map<string, Map<string, number>>;
  byFile: Map<string, number>;
}

function tallyProfile(p: CpuProfile, windows: readonly ProfileWindow[], t: Tally): void {
  const nodes = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
  let at = p.startTime;
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i] ?? 0;
    at += us;
    const frame = nodes.get(id);
    const w = windows.find((x) => at >= x.fromUs && at <= x.toUs);
    if (!frame || !w || frame.functionName === '(idle)') return;
    const file = shortUrl(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    add(t.busy, w.label, us);
    const fns = t.byFn.get(w.label) ?? new Map<string, number>();
    add(fns, fn, us);
    t.byFn.set(w.label, fns);
    add(t.byFile, file, us);
  });
}

/** Self time inside the measured windows, from every profile in `<cordonDir>/profile/`. */
export function summarizeProfiles(
  cordonDir: string,
  windows: readonly ProfileWindow[],
): ProfileSummary | undefined {
  const dir = join(cordonDir, 'profile');
  if (!existsSync(dir)) return undefined;
  const t: Tally = { busy: new Map(), byFn: new Map(), byFile: new Map() };
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
    tallyProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, windows, t);
  }
  const busyUs = [...t.busy.values()].reduce((a, b) => a + b, 0);
  if (busyUs === 0) return undefined;
  const byLabel = Object.keys(LABELS)
    .filter((label) => t.busy.has(label))
    .map((label) => {
      const us = t.busy.get(label) ?? 0;
      return {
        label,
        busyMs: us / 1000,
        functions: top(t.byFn.get(label) ?? new Map<string, number>(), us, TOP_FUNCTIONS),
      };
    });
  return { busyMs: busyUs / 1000, byLabel, files: top(t.byFile, busyUs, TOP_FILES) };
}

function table(title: string, rows: ProfileEntry[]): string[] {
  return [
    `| ${title} | self ms | share |`,
    '|---|--:|--:|',
    ...rows.map((r) => `| \`${r.name}\` | ${r.ms.toFixed(0)} | ${r.pct.toFixed(1)}% |`),
  ];
}

export function profileMarkdown(s: ProfileSummary): string {
  const out = [
    `Sampled busy time of the long-running Cordon during the measured runs (start-up and warm-ups`,
    `left out): ${(s.busyMs / 1000).toFixed(1)} s. Shares are of the non-idle samples in each scenario.`,
  ];
  for (const l of s.byLabel) {
    out.push('', `### ${LABELS[l.label] ?? l.label}: ${(l.busyMs / 1000).toFixed(2)} s busy`, '');
    out.push(...table('function (self time)', l.functions));
  }
  out.push('', '### All measured runs, by file', '', ...table('file (self time)', s.files));
  return out.join('\n');
}
