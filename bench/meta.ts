/**
 * @module bench/meta
 * The report around the tables: what was measured on which machine and commit, with which tool
 * versions and settings, and the notes needed to read the numbers. Reads versions and /proc/cpuinfo;
 * writes nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, release } from 'node:os';
import { markdownTable, summarizeAll, usageTable } from './report.js';
import { loadSections } from './report-load.js';
import { profileMarkdown, type ProfileSummary } from './profile.js';
import { CLK_TCK } from './stats.js';
import { toolVersion } from './tools.js';
import type { Cores, RunOptions, ScenarioResult } from './types.js';

export interface RunMeta {
  date: string;
  commit: string;
  cpu: string;
  cores: number;
  kernel: string;
  node: string;
  squid: string;
  wrk: string;
  curl: string;
  mode: string;
  reps: number;
  pinning: string;
  seconds: number;
  /** Busy % of each core before the run: load from other processes that skews every number. */
  background: number[];
}

function commit(root: string): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m?.[1]?.trim() ?? 'unknown';
}

export interface DescribeInput {
  root: string;
  tools: Record<string, string>;
  opts: RunOptions;
  cores: Cores;
  seconds: number;
  /** Busy share of each core measured before the run started anything. */
  background: number[];
}

export function describeRun({ root, tools, opts, cores, seconds, background }: DescribeInput): RunMeta {
  return {
    date: new Date().toISOString(),
    commit: commit(root),
    cpu: cpuModel(),
    cores: availableParallelism(),
    kernel: release(),
    node: process.version,
    squid: toolVersion(tools.squid ?? 'squid', ['-v']),
    wrk: toolVersion(tools.wrk ?? 'wrk', ['-v']),
    curl: toolVersion(tools.curl ?? 'curl', ['--version']),
    mode: opts.quick ? 'quick' : 'full',
    reps: opts.reps,
    pinning:
      cores.load === undefined
        ? 'none (one core)'
        : `load generators on core ${cores.load}, proxy + origin on core ${cores.server}`,
    seconds: Math.round(seconds),
    background: background.map((b) => Math.round(100 * b)),
  };
}

const NOTES = [
  'Cells are the median of the repetitions with (min–max). Ratios are of medians: Cordon/squid > 1 means',
  'Cordon has more of it (good for rates, bad for CPU, latency and memory). Cordon and squid figures are',
  'for one server core shared by proxy and origin. "Cordon cluster" is the all-cores figure, kept apart',
  `(squid runs one worker): a second Cordon with \`workers: auto\` (${availableParallelism()} workers and the primary), not`,
  `pinned, so on this ${availableParallelism()}-core machine it shares the cores with the load generator (core 0) and the`,
  'origin (core 1); its CPU is that of all its processes, and the goals are judged on the one-core column.',
  '"Node floor" is bench/floor-proxy.mjs pinned like Cordon: about the least a forward proxy in Node does',
  '(find each head, rewrite the target, frame responses by Content-Length, pipe tunnels; no policy, DNS,',
  "SNI check, logs, timeouts or limits). It shows how much of a figure is Node's own on this machine.",
  `Proxy CPU is utime+stime of the proxy's process tree from /proc/PID/stat (1/${CLK_TCK} s ticks) over`,
  'the measured run, divided by the operations in it. RSS is VmRSS of a fresh proxy process.',
];

// Above this, other processes share the cores and the numbers are not comparable across runs.
const BUSY_WARNING_PCT = 10;

function backgroundLine(meta: RunMeta): string {
  const text = meta.background.map((b, i) => `core ${i} ${b}%`).join(', ');
  const warn = meta.background.some((b) => b > BUSY_WARNING_PCT)
    ? ' **Warning: other processes were busy; absolute figures are low and noisy, ratios less so.**'
    : '';
  return `Background load before the run: ${text}.${warn}`;
}

export function renderReport(
  meta: RunMeta,
  results: ScenarioResult[],
  profile?: ProfileSummary,
): { markdown: string; json: unknown } {
  const rows = summarizeAll(results);
  const errors = results.flatMap((r) => r.errors);
  const load = loadSections(results);
  const missed = [
    ...rows.filter((r) => r.met === false).map((r) => `(${r.scenario}) ${r.label}: goal ${r.goal}`),
    ...load.missed,
  ];
  const markdown = [
    '# Cordon vs squid: benchmark',
    '',
    `${meta.date}, commit ${meta.commit}, ${meta.mode} mode, ${meta.reps} repetition(s), ${meta.seconds} s of scenarios.`,
    `Machine: ${meta.cpu}, ${meta.cores} cores, Linux ${meta.kernel}; ${meta.pinning}.`,
    `Node ${meta.node}; ${meta.squid}; ${meta.wrk}; ${meta.curl}.`,
    backgroundLine(meta),
    '',
    markdownTable(rows),
    '',
    ...NOTES,
    '',
    ...(results.some((r) => ['a', 'b', 'c'].includes(r.id))
      ? [
          '## Where the time goes (median share of one core during the measured runs)',
          '',
          usageTable(results),
          '',
        ]
      : []),
    ...load.lines,
    ...(profile ? ['## Cordon CPU profile', '', profileMarkdown(profile), ''] : []),
    '## Errors',
    '',
    ...(errors.length > 0 ? errors.map((e) => `- ${e}`) : ['none']),
    '',
    '## Goals missed',
    '',
    ...(missed.length > 0 ? missed.map((m) => `- ${m}`) : ['none']),
    '',
  ].join('\n');
  return { markdown, json: { meta, metrics: rows, results, profile } };
}
