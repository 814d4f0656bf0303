/**
 * @module config/lint
 * Findings about a config that is valid but risky or redundant: entries that open well-known
 * exfiltration routes (every AWS endpoint, every S3 bucket, githubusercontent.com, paste and
 * file-sharing hosts, tunnels), duplicates, entries shadowed by wider ones, groups that can never
 * match, report/learn modes, unusual ports. Each says why and what to write instead. Pure.
 */
import type { AllowEntry, PolicySpec, Scheme } from '../policy/types.js';
import { isAwsApex, isS3Endpoint, routesReached } from './exfil-routes.js';
import { groupFindings } from './lint-groups.js';
import { contains, rangeOf, type Range } from './ranges.js';
import type { CordonConfig } from './schema.js';

export type LintLevel = 'error' | 'warning' | 'info';

export interface LintFinding {
  readonly level: LintLevel;
  /** Where: an entry's source (`allowhttps.txt:3`) or a config path (`cordon.yaml:groups[1]`). */
  readonly source: string;
  /** The entry or setting concerned. */
  readonly entry: string;
  readonly message: string;
  readonly fix: string;
}

/** What lint reads; a `LoadedConfig` fits. */
export interface LintInput {
  readonly config: CordonConfig;
  readonly policySpec: PolicySpec;
  readonly path: string | null;
}

const SCHEMES: readonly Scheme[] = ['http', 'https'];

/** Every finding, most severe first, each reported once. `now` decides whether learning ended. */
export function lintConfig(input: LintInput, now: number = Date.now()): LintFinding[] {
  const findings: LintFinding[] = [];
  const seenEntries = new Set<AllowEntry>();
  const defaultGroup = input.policySpec.groups.at(-1);
  for (const group of input.policySpec.groups) {
    for (const s of SCHEMES) {
      const inherited = new Set(group === defaultGroup ? [] : (defaultGroup?.[s].allow ?? []));
      for (const e of group[s].allow) {
        if (!seenEntries.has(e)) findings.push(...routeFindings(e));
        seenEntries.add(e);
      }
      // A group with only inherited entries has nothing of its own to report.
      if (group[s].allow.some((e) => !inherited.has(e)))
        findings.push(...shadowFindings(group[s].allow, inherited));
    }
  }
  findings.push(...groupFindings(input, now));
  const order: Record<LintLevel, number> = { error: 0, warning: 1, info: 2 };
  const unique = new Map(findings.map((f) => [`${f.source}|${f.entry}|${f.message}`, f]));
  return [...unique.values()].sort((a, b) => order[a.level] - order[b.level]);
}

/** `.example.com` → ['.', 'example.com']; null for IP addresses and CIDRs. */
function splitEntry(value: string): { prefix: '' | '.' | '*.'; domain: string } | null {
  if (/^[\d.]+(\/\d+)?$|:/.test(value)) return null;
  if (value.startsWith('*.')) return { prefix: '*.', domain: value.slice(2) };
  if (value.startsWith('.')) return { prefix: '.', domain: value.slice(1) };
  return { prefix: '', domain: value };
}

const under = (name: string, parent: string): boolean => name.endsWith(`.${parent}`);

function routeFindings(e: AllowEntry): LintFinding[] {
  const split = splitEntry(e.value);
  if (split === null) return [];
  const { prefix, domain } = split;
  const warn = (message: string, fix: string): LintFinding => ({
    level: 'warning',
    source: e.source,
    entry: e.value,
    message,
    fix,
  });
  const out: LintFinding[] = [];
  if (prefix !== '' && isAwsApex(domain)) {
    out.push(
      warn(
        'allows every AWS endpoint and everything customers host there: every S3 bucket, API and load balancer of every account, including an attacker-owned one',
        'name the endpoints you need (e.g. sts.us-east-1.amazonaws.com, .my-bucket.s3.amazonaws.com) or use VPC endpoints',
      ),
    );
  } else if (isS3Endpoint(domain)) {
    out.push(
      warn(
        'reaches every S3 bucket of every account (including one an attacker owns), so data can be uploaded out',
        'name the bucket: .my-bucket.s3.amazonaws.com, or use an S3 VPC endpoint with a bucket policy',
      ),
    );
  } else if (prefix !== '' && domain === 'githubusercontent.com') {
    out.push(
      warn(
        "serves every GitHub user's files, and gist.githubusercontent.com holds anyone's uploads",
        'name the hosts you need, e.g. raw.githubusercontent.com or objects.githubusercontent.com',
      ),
    );
  }
  if (out.length > 0) return out; // the specific warning above already covers the table's hosts
  const routes = routesReached(prefix, domain);
  if (routes.length > 0) {
    const names = routes.map((r) => `${r.domain} (${r.kind})`).join(', ');
    const wide = routes.every((r) => under(r.domain, domain));
    out.push(
      warn(
        `reaches ${names}, where anyone can upload or receive data`,
        wide
          ? `allow only the hosts you need under ${domain}, not the whole domain`
          : 'remove it; if a team truly needs it, allow it in that group only and watch its traffic',
      ),
    );
  }
  return out;
}

/** Duplicates and entries already covered by a wider one; inherited entries are linted in `default`. */
function shadowFindings(list: readonly AllowEntry[], inherited: ReadonlySet<AllowEntry>): LintFinding[] {
  const ordered = [...list.filter((e) => inherited.has(e)), ...list.filter((e) => !inherited.has(e))];
  const first = new Map<string, AllowEntry>();
  const withSubdomains = new Map<string, AllowEntry>();
  const subdomainsOnly = new Map<string, AllowEntry>();
  const ranges: [AllowEntry, Range][] = [];
  const out: LintFinding[] = [];
  for (const e of ordered) {
    const earlier = first.get(e.value);
    if (earlier !== undefined) {
      if (earlier !== e && !inherited.has(e)) {
        out.push(finding(e, `duplicate of ${earlier.source}`, 'remove one of them'));
      }
      continue;
    }
    first.set(e.value, e);
    const split = splitEntry(e.value);
    const range = split === null ? rangeOf(e.value) : null;
    if (split?.prefix === '.') withSubdomains.set(split.domain, e);
    else if (split?.prefix === '*.') subdomainsOnly.set(split.domain, e);
    else if (range) ranges.push([e, range]);
  }
  for (const e of first.values()) {
    if (inherited.has(e)) continue;
    const wider = widerEntry(e, withSubdomains, subdomainsOnly, ranges);
    if (wider)
      out.push(finding(e, `already covered by ${wider.value} (${wider.source})`, 'remove this entry'));
  }
  return out;
}

function finding(e: AllowEntry, message: string, fix: string): LintFinding {
  return { level: 'warning', source: e.source, entry: e.value, message, fix };
}

function widerEntry(
  e: AllowEntry,
  withSubdomains: ReadonlyMap<string, AllowEntry>,
  subdomainsOnly: ReadonlyMap<string, AllowEntry>,
  ranges: readonly [AllowEntry, Range][],
): AllowEntry | undefined {
  const split = splitEntry(e.value);
  if (split === null) {
    const own = rangeOf(e.value);
    return own ? ranges.find(([o, r]) => o !== e && contains(r, own))?.[0] : undefined;
  }
  const { prefix, domain } = split;
  // `.d` covers `d` and `*.d`; any `.p` or `*.p` on a strict parent p covers all three forms.
  if (prefix !== '.') {
    const self = withSubdomains.get(domain);
    if (self) return self;
  }
  for (let i = domain.indexOf('.'); i !== -1; i = domain.indexOf('.', i + 1)) {
    const parent = domain.slice(i + 1);
    const hit = withSubdomains.get(parent) ?? subdomainsOnly.get(parent);
    if (hit) return hit;
  }
  return undefined;
}
