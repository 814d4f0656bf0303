/**
 * @module audit/propose
 * "Propose an allowlist" for a group in report or learn mode: from the destinations it would have
 * been denied (the `observed` aggregate), the smallest public-suffix-safe list that covers them.
 * Several hosts under one registrable domain become `.domain`; a lone host stays exact. Entries lint
 * flags as exfiltration routes are never widened and carry the warning, for the user to judge.
 * Read-only; applying the proposal is the admin's job (one audited change).
 */
import type { CordonConfig } from '../config/schema.js';
import type { Scheme } from '../policy/types.js';
import { entryRisk, registrableDomain } from './review-scope.js';
import type { Database } from './sqlite.js';

export interface ProposedEntry {
  scheme: Scheme;
  entry: string;
  /** The observed hosts (with port when not the scheme's default) this entry covers. */
  hosts: string[];
  /** Requests observed that this entry would allow. */
  count: number;
  lastSeen: string;
  /** Why this entry is exfiltration-prone, or null. */
  risk: string | null;
}

/** Hosts under one registrable domain that make the proposal widen to `.domain`. */
const WIDEN_AT = 2;
const DEFAULT_PORT: Record<Scheme, number> = { http: 80, https: 443 };

interface Seen {
  scheme: Scheme;
  host: string;
  port: number;
  count: number;
  last: number;
}

export function proposeAllowlist(db: Database, group: string, config: CordonConfig): ProposedEntry[] {
  const rows = db
    .prepare<Seen>('SELECT scheme, host, port, count, last_seen AS last FROM observed WHERE grp = ?')
    .all(group);
  const risks = new Map<string, string | null>();
  const risk = (entry: string): string | null => {
    if (!risks.has(entry)) risks.set(entry, entryRisk(entry, config));
    return risks.get(entry) ?? null;
  };
  const buckets = new Map<string, Seen[]>();
  for (const r of rows) {
    const domain = registrableDomain(r.host);
    // Exact hosts stay exact when the wider entry would be risky or there is no safe domain.
    const key = domain === null || risk(`.${domain}`) !== null ? `=${r.host}` : `.${domain}`;
    const list = buckets.get(`${r.scheme} ${key}`) ?? [];
    list.push(r);
    buckets.set(`${r.scheme} ${key}`, list);
  }
  const out: ProposedEntry[] = [];
  for (const [k, seen] of buckets) {
    const [scheme, key = ''] = k.split(' ') as [Scheme, string];
    const hosts = new Set(seen.map((s) => s.host));
    const entries = key.startsWith('.') && hosts.size >= WIDEN_AT ? [key] : [...hosts];
    for (const entry of entries) {
      const covered = seen.filter((s) => entries.length === 1 || s.host === entry);
      out.push({
        scheme,
        entry,
        hosts: [
          ...new Set(covered.map((s) => (s.port === DEFAULT_PORT[scheme] ? s.host : `${s.host}:${s.port}`))),
        ].sort(),
        count: covered.reduce((n, s) => n + s.count, 0),
        lastSeen: new Date(Math.max(...covered.map((s) => s.last))).toISOString(),
        risk: risk(entry),
      });
    }
  }
  return out.sort((a, b) => b.count - a.count || a.entry.localeCompare(b.entry));
}
