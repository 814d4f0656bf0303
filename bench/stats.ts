/**
 * @module bench/stats
 * Numbers for the benchmark: median / min / max / percentiles of samples, and what the kernel says
 * about a process tree (CPU time from /proc/PID/stat utime+stime, RSS from /proc/PID/status VmRSS)
 * and about each core (/proc/stat). Reads /proc only; never starts or signals a process.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime (`getconf CLK_TCK`, 100 on Linux). */
export const CLK_TCK = readClockTicks();

function readClockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** The q-quantile (0..1) of `values` by nearest rank on a sorted copy; NaN for no values. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

/** Median (mean of the middle two for an even count), min and max, ignoring NaN samples. */
export function summarize(values: readonly number[]): Summary {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (v.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 === 1 ? (v[mid] ?? Number.NaN) : ((v[mid - 1] ?? 0) + (v[mid] ?? 0)) / 2;
  return { median, min: v[0] ?? Number.NaN, max: v[v.length - 1] ?? Number.NaN, n: v.length };
}

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

/** Parse one /proc/PID/stat line. The command name is in parentheses and may hold spaces. */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  // After ") ": state(3) ppid(4) ... utime(14) stime(15), counted from 1 over the whole line.
  const f = line
    .slice(close + 2)
    .trim()
    .split(' ');
  const ppid = Number(f[1]);
  const ticks = Number(f[11]) + Number(f[12]);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(ticks)) return null;
  return { pid, ppid, ticks };
}

function readStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null; // the process exited between listing and reading
  }
}

/** The pid and every live descendant (squid helpers, shells that exec'd). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s === null) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU seconds (user + system, all threads) used so far by a process and its live descendants. */
export function cpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) ticks += readStat(p)?.ticks ?? 0;
  return ticks / CLK_TCK;
}

/** Resident set size in KiB of a process and its live descendants (VmRSS). */
export function rssKiB(pid: number): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    try {
      const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return kib;
}

export interface CoreTicks {
  busy: number;
  total: number;
}

/** Busy and total ticks per core from /proc/stat (busy = total - idle - iowait). */
export function coreTicks(): CoreTicks[] {
  const out: CoreTicks[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = (m[2] ?? '').split(/\s+/).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    out[Number(m[1])] = { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
  }
  return out;
}

export interface Snapshot {
  at: number;
  proxyCpu: number;
  originCpu: number;
  cores: CoreTicks[];
}

/** What to read before and after a measured run. `proxyPid` is undefined for the direct runs. */
export function snapshot(proxyPid: number | undefined, originPid: number): Snapshot {
  return {
    at: performance.now(),
    proxyCpu: proxyPid === undefined ? 0 : cpuSeconds(proxyPid),
    originCpu: cpuSeconds(originPid),
    cores: coreTicks(),
  };
}

export interface Usage {
  wallS: number;
  proxyCpuS: number;
  originCpuS: number;
  /** Busy share (0..1) of the core that runs the proxy and the origin. */
  serverCoreBusy: number;
  /** Busy share (0..1) of the core that runs the load generator. */
  loadCoreBusy: number;
}

export function usageBetween(a: Snapshot, b: Snapshot, serverCore: number, loadCore: number): Usage {
  const share = (i: number): number => {
    const x = a.cores[i];
    const y = b.cores[i];
    if (!x || !y || y.total === x.total) return Number.NaN;
    return (y.busy - x.busy) / (y.total - x.total);
  };
  return {
    wallS: (b.at - a.at) / 1000,
    proxyCpuS: b.proxyCpu - a.proxyCpu,
    originCpuS: b.originCpu - a.originCpu,
    serverCoreBusy: share(serverCore),
    loadCoreBusy: share(loadCore),
  };
}

/** Busy share (0..1) of each core over `ms`, before the benchmark starts anything: other load. */
export async function backgroundLoad(ms: number): Promise<number[]> {
  const a = coreTicks();
  await new Promise((r) => setTimeout(r, ms));
  const b = coreTicks();
  return b.map((y, i) => {
    const x = a[i];
    return x && y.total > x.total ? (y.busy - x.busy) / (y.total - x.total) : Number.NaN;
  });
}
