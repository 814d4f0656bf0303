/**
 * @module config/import-squid
 * `cordon import-squid`: maps a classic squid.conf allowlist setup onto cordon.yaml. `http_access
 * allow [CONNECT] <src acl> <dstdomain acl> [port acl]` lines become the https (with CONNECT) or
 * http sections, `localnet`-style src acls become `clients` (or groups when lines use different
 * ones), Safe_ports/SSL_ports become port lists, `http_port` becomes `listen`. Every line it cannot
 * map is returned with the reason. Reads squid.conf and its acl files; writes nothing (see
 * `writeImport` in import-write.ts).
 */
import { readFileSync } from 'node:fs';
import type { Scheme } from '../policy/types.js';
import { CONFIG_ERRORS, ConfigError } from './errors.js';
import { planSections } from './import-plan.js';
import { renderImport, type ImportSettings } from './import-render.js';
import { mapDirectives } from './import-directives.js';
import { collectAcls, parseSquidConf, type Acl, type SquidLine, type Unmapped } from './squid-conf.js';
import { expandPorts, httpPortsFromSafePorts, portMatches, type PortNote } from './squid-ports.js';

export { writeImport } from './import-write.js';
export type { Unmapped } from './squid-conf.js';

export interface ImportedFile {
  readonly name: string;
  readonly content: string;
}

/** The result of an import: cordon.yaml text, the allowlist files it references, what was not mapped. */
export interface SquidImport {
  readonly yaml: string;
  readonly files: ImportedFile[];
  readonly unmapped: Unmapped[];
}

/** State shared by the mapping steps of one import. */
export interface ImportContext {
  readonly confPath: string;
  readonly lines: readonly SquidLine[];
  readonly acls: ReadonlyMap<string, Acl>;
  readonly usedAcls: Set<string>;
  readonly unmapped: Unmapped[];
  /** Report a squid.conf line as not mapped (once per line and reason). */
  skip(line: number, why: string, text?: string): void;
}

/** One mapped `http_access allow` line. */
export interface Rule {
  readonly line: number;
  readonly scheme: Scheme;
  readonly src: readonly Acl[];
  readonly dst: Acl;
  readonly ports: readonly number[];
}

interface Restriction {
  readonly acl: Acl;
  /** `deny CONNECT !SSL_ports` applies to tunnels only; `deny !Safe_ports` to everything. */
  readonly connectOnly: boolean;
}

/** Convert squid.conf (and the dstdomain files it references) into cordon.yaml + allowlists. */
export function importSquid(confPath: string): SquidImport {
  let text: string;
  try {
    text = readFileSync(confPath, 'utf8');
  } catch (e: unknown) {
    throw new ConfigError(
      [
        {
          file: confPath,
          message: 'cannot read squid.conf',
          fix: 'check the path',
          code: CONFIG_ERRORS.read,
        },
      ],
      { cause: e },
    );
  }
  const lines = parseSquidConf(text);
  const collected = collectAcls(lines, confPath);
  const ctx = createContext(confPath, lines, collected.acls, collected.unmapped);
  const rules = mapAccess(ctx);
  const settings: ImportSettings = mapDirectives(ctx);
  const plan = planSections(ctx, rules);
  for (const acl of ctx.acls.values()) {
    if (ctx.usedAcls.has(acl.name)) continue;
    for (const line of acl.lines)
      ctx.skip(line, `acl ${acl.name} is not used by any http_access line that was mapped`);
  }
  // Rendering validates every entry and reports the invalid ones, so collect unmapped lines after it.
  const rendered = renderImport(plan, settings, confPath);
  return { ...rendered, unmapped: [...ctx.unmapped].sort((a, b) => a.line - b.line) };
}

function createContext(
  confPath: string,
  lines: readonly SquidLine[],
  acls: Map<string, Acl>,
  unmapped: Unmapped[],
): ImportContext {
  const byLine = new Map(lines.map((l) => [l.line, l.text]));
  const seen = new Set(unmapped.map((u) => `${u.line}|${u.text}|${u.why}`));
  return {
    confPath,
    lines,
    acls,
    usedAcls: new Set(),
    unmapped,
    skip(line, why, text = byLine.get(line) ?? '') {
      const key = `${line}|${text}|${why}`;
      if (seen.has(key)) return;
      seen.add(key);
      unmapped.push({ line, text, why });
    },
  };
}

const isConnect = (acl: Acl): boolean =>
  acl.type === 'method' &&
  acl.values.length > 0 &&
  acl.values.every((v) => v.value.toUpperCase() === 'CONNECT');

/** Walk `http_access` lines in order (squid is first-match) into allow rules. */
function mapAccess(ctx: ImportContext): Rule[] {
  const rules: Rule[] = [];
  const restrictions: Restriction[] = [];
  let denyAllLine: number | undefined;
  for (const l of ctx.lines) {
    if (l.name !== 'http_access') continue;
    if (denyAllLine !== undefined) {
      ctx.skip(l.line, `never reached: squid stops at "http_access deny all" on line ${denyAllLine}`);
      continue;
    }
    const [action, ...names] = l.args;
    const terms = names.map((n) => ({
      negated: n.startsWith('!'),
      acl: ctx.acls.get(n.replace(/^!/, '')),
      name: n,
    }));
    const missing = terms.find((t) => t.acl === undefined);
    if (missing) ctx.skip(l.line, `acl ${missing.name.replace(/^!/, '')} is not defined`);
    else if (action === 'deny') {
      const r = mapDeny(terms as Term[]);
      if (r.kind === 'skip') ctx.skip(l.line, r.why);
      else {
        for (const t of terms as Term[]) ctx.usedAcls.add(t.acl.name);
        if (r.kind === 'all') denyAllLine = l.line;
        else if (r.kind === 'restrict') restrictions.push(r.restriction);
      }
    } else if (action === 'allow') {
      const r = mapAllow(ctx, l.line, terms as Term[], restrictions);
      if (typeof r === 'string') ctx.skip(l.line, r);
      else rules.push(r);
    } else ctx.skip(l.line, 'expected http_access allow or http_access deny');
  }
  return rules;
}

interface Term {
  readonly negated: boolean;
  readonly acl: Acl;
  readonly name: string;
}

type DenyMapping =
  | { kind: 'restrict'; restriction: Restriction }
  | { kind: 'all' }
  | { kind: 'mapped' }
  | { kind: 'skip'; why: string };

/** A deny line → a port restriction, `all`, `mapped` (nothing to do), or why it cannot map. */
function mapDeny(terms: readonly Term[]): DenyMapping {
  const [a, b] = terms;
  if (terms.length === 1 && a && !a.negated) {
    if (a.acl.name === 'all') return { kind: 'all' };
    // cordon always refuses loopback destinations, and has no cache manager to protect.
    if (a.acl.name === 'to_localhost' || isManager(a.acl)) return { kind: 'mapped' };
  }
  if (terms.length === 1 && a?.negated && a.acl.type === 'port') {
    return { kind: 'restrict', restriction: { acl: a.acl, connectOnly: false } };
  }
  if (terms.length === 2 && a && b && !a.negated && isConnect(a.acl) && b.negated && b.acl.type === 'port') {
    return { kind: 'restrict', restriction: { acl: b.acl, connectOnly: true } };
  }
  return {
    kind: 'skip',
    why: 'cordon is allowlist-only and has no deny rules: keep these destinations out of the allowlists',
  };
}

/** Squid's cache-manager acl: built in since squid 4, `proto cache_object` before. */
const isManager = (acl: Acl): boolean => acl.type === 'manager' || acl.name === 'manager';

const REGEX_TYPES = new Set(['dstdom_regex', 'url_regex', 'urlpath_regex', 'dstdomain_regex']);

/** An allow line → a rule for one scheme, or why it cannot map. */
function mapAllow(
  ctx: ImportContext,
  line: number,
  terms: readonly Term[],
  restrictions: readonly Restriction[],
): Rule | string {
  let connect = false;
  const src: Acl[] = [];
  const dst: Acl[] = [];
  const portAcls: Acl[] = [];
  for (const { acl, negated, name } of terms) {
    if (negated) return `the negated acl ${name} has no cordon equivalent in an allow line`;
    if (isConnect(acl)) connect = true;
    else if (acl.type === 'src') src.push(acl);
    else if (acl.type === 'dstdomain' || acl.type === 'dst') dst.push(acl);
    else if (acl.type === 'port') portAcls.push(acl);
    else if (isManager(acl)) return 'cordon has no cache manager; its admin API listens on admin.listen';
    else if (acl.type.startsWith('proxy_auth')) {
      return 'cordon does not authenticate clients; scope rules by client address with groups';
    } else if (REGEX_TYPES.has(acl.type)) {
      return `acl ${acl.name} is a ${acl.type}: regular expressions are not supported; list the domains (.example.org covers every subdomain)`;
    } else return `acl ${acl.name} (type ${acl.type}) has no cordon equivalent`;
  }
  if (dst.length === 0) {
    return 'allows every destination; cordon has no allow-all rule: list the destinations in http.allow / https.allow';
  }
  if (dst.length > 1 || src.length > 1) {
    return 'several src or destination acls on one line (squid requires all of them to match) cannot be mapped; split them';
  }
  const scheme: Scheme = connect ? 'https' : 'http';
  const applicable = restrictions.filter((r) => scheme === 'https' || !r.connectOnly);
  const ports = rulePorts(ctx, scheme, portAcls, applicable);
  if (ports.length === 0) return 'no port is left once Safe_ports / SSL_ports restrictions apply';
  for (const t of terms) ctx.usedAcls.add(t.acl.name);
  for (const r of applicable) ctx.usedAcls.add(r.acl.name);
  return { line, scheme, src, dst: dst[0] as Acl, ports };
}

function rulePorts(
  ctx: ImportContext,
  scheme: Scheme,
  portAcls: readonly Acl[],
  applicable: readonly Restriction[],
): number[] {
  const note = (notes: readonly PortNote[]): void => notes.forEach((n) => ctx.skip(n.value.line, n.why));
  let base: number[];
  if (portAcls.length > 0) {
    const expanded = portAcls.map(expandPorts);
    expanded.forEach((e) => note(e.notes));
    base = expanded[0]?.ports.filter((p) => expanded.every((e) => e.ports.includes(p))) ?? [];
  } else {
    const ssl = applicable.find((r) => r.connectOnly);
    const safe = applicable.find((r) => !r.connectOnly);
    const from =
      scheme === 'https'
        ? ssl
          ? expandPorts(ssl.acl)
          : null
        : safe
          ? httpPortsFromSafePorts(safe.acl)
          : null;
    if (from) note(from.notes);
    base = from?.ports ?? [scheme === 'https' ? 443 : 80];
  }
  return base.filter((p) => applicable.every((r) => portMatches(r.acl, p)));
}
