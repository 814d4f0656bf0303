/**
 * @module audit/review-scope
 * What an approval adds: the entry for scope `host` (that host only) or `domain` (the registrable
 * domain and its subdomains, public-suffix-safe: private suffixes such as `github.io` or
 * `s3.amazonaws.com` count as suffixes, so `user.github.io` stays `.user.github.io`), and the
 * exfiltration risk lint sees in that entry. Pure.
 */
import { getDomain } from 'tldts';
import { lintConfig } from '../config/lint.js';
import type { CordonConfig } from '../config/schema.js';
import { CordonError } from '../errors.js';
import type { GroupSpec } from '../policy/types.js';

export type Scope = 'host' | 'domain';

export const REVIEW_ERRORS = {
  /** The scope cannot apply to this destination (an IP has no domain; a public suffix is not one). */
  badScope: 'CORDON_AUDIT_BAD_SCOPE',
} as const;

export interface ScopeSuggestion {
  scope: Scope;
  entry: string;
  /** Why this entry is risky (exfiltration route), or null. */
  risk: string | null;
}

const isIp = (host: string): boolean => /^[\d.]+$/.test(host) || host.includes(':');

/** The registrable domain of `host` (public-suffix list, private suffixes included), or null. */
export function registrableDomain(host: string): string | null {
  if (isIp(host)) return null;
  return getDomain(host, { allowPrivateDomains: true });
}

/** The allowlist entry for approving `host` with `scope`. Throws `badScope` when it cannot apply. */
export function entryFor(host: string, scope: Scope): string {
  if (scope === 'host') return host;
  const domain = registrableDomain(host);
  if (domain === null) {
    const why = isIp(host) ? 'an IP address has no domain' : `${host} is a public suffix`;
    throw new CordonError(
      REVIEW_ERRORS.badScope,
      `scope "domain" cannot apply to ${host}: ${why}; use scope "host"`,
    );
  }
  return `.${domain}`;
}

/** What lint warns about `entry` on its own (exfiltration routes), or null. */
export function entryRisk(entry: string, config: CordonConfig): string | null {
  const e = { value: entry, source: 'review' };
  const group: GroupSpec = {
    name: 'default',
    clients: [],
    mode: 'enforce',
    http: { ports: [80], allow: [e] },
    https: { ports: [443], allow: [] },
  };
  const finding = lintConfig({ config, policySpec: { clients: [], groups: [group] }, path: null }).find(
    (f) => f.source === 'review' && f.level === 'warning',
  );
  return finding ? `${finding.message}; ${finding.fix}` : null;
}

/** The scopes that apply to `host`, narrowest first, each with its entry and risk. */
export function scopeSuggestions(host: string, config: CordonConfig): ScopeSuggestion[] {
  const out: ScopeSuggestion[] = [{ scope: 'host', entry: host, risk: entryRisk(host, config) }];
  const domain = registrableDomain(host);
  if (domain !== null)
    out.push({ scope: 'domain', entry: `.${domain}`, risk: entryRisk(`.${domain}`, config) });
  return out;
}
