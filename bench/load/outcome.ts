/**
 * @module bench/load/outcome
 * Names what happened to one client operation in the load generators, so outcomes can be counted:
 * `ok`, the status a proxy answered (`429`, `503`, ...), `closed` (closed or reset with no answer),
 * `timeout`, `refused` (nothing listening). Pure: reads an error, does no I/O.
 */

export type Tally = Record<string, number>;

/** `CONNECT answered HTTP/1.1 429 Too Many Requests` → `429` (the message bench/load/raw.ts gives). */
const STATUS = /answered HTTP\/1\.[01] (\d{3})/;
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** The outcome name for an operation that failed with `e`. */
export function outcomeOf(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown } | null)?.code;
  const status = STATUS.exec(message);
  if (status?.[1] !== undefined) return status[1];
  if (code === 'ECONNREFUSED') return 'refused';
  if (message === 'closed early' || (typeof code === 'string' && CLOSED_CODES.has(code))) return 'closed';
  if (/timed out/.test(message)) return 'timeout';
  return typeof code === 'string' ? code : 'other';
}

export function count(t: Tally, outcome: string, n = 1): void {
  t[outcome] = (t[outcome] ?? 0) + n;
}

/** `ok 990, 503 400, closed 110` — most frequent first. */
export function tallyText(t: Tally): string {
  const entries = Object.entries(t).filter(([, n]) => n > 0);
  if (entries.length === 0) return 'nothing';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`)
    .join(', ');
}

/** Failures of a tally: every outcome but `ok`. */
export function failures(t: Tally): number {
  return Object.entries(t).reduce((sum, [k, n]) => (k === 'ok' ? sum : sum + n), 0);
}
