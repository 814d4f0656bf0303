/**
 * @module admin/pages/format
 * Small display helpers for the pages: byte sizes, times, destination labels. Pure.
 */

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] ?? 'B'}`;
}

/** `2026-06-01 12:34:56` in UTC: sortable, unambiguous. */
export function when(iso: string | null): string {
  if (iso === null) return '-';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function destination(d: { scheme: string; host: string; port: number }): string {
  const host = d.host.includes(':') ? `[${d.host}]` : d.host;
  return `${d.scheme}://${host}:${d.port}`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
