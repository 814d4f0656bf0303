/**
 * @module config/import-render
 * Renders a planned squid import as text: a commented cordon.yaml and one allowlist file per
 * section (`allowhttp.txt`, `allowhttps.txt`, `allowhttps-<group>.txt`). Every entry passes
 * `validateAllowEntry`; invalid ones are reported as not mapped instead of written. Pure.
 */
import { Document, isMap, isScalar, isSeq, visit, type Node } from 'yaml';
import type { Scheme } from '../policy/types.js';
import { validateAllowEntry } from './allowlist.js';
import type { ImportContext, ImportedFile } from './import-squid.js';
import { textOf } from './import-clients.js';
import type { ImportSettings } from './import-directives.js';
import type { Acl } from './squid-conf.js';

export type { ImportSettings } from './import-directives.js';

/** One scheme's share of the mapped allow lines. */
export interface ImportSection {
  readonly ports: number[];
  /** The destination acls, with the http_access line that used each. */
  readonly blocks: { readonly acl: Acl; readonly line: number }[];
}

/** The sections of one target (top level or a group). */
export type Sections = Partial<Record<Scheme, ImportSection>>;

export interface ImportPlan {
  /** Client ranges; null keeps cordon's default private ranges. */
  readonly clients: string[] | null;
  readonly top: Sections;
  readonly groups: { readonly name: string; readonly clients: string[]; readonly sections: Sections }[];
  readonly ctx: ImportContext;
}

const FILE_HEADER = [
  '# One entry per line, squid dstdomain syntax: example.org (that host only),',
  '# .example.org (the domain and every subdomain), *.example.org (subdomains only).',
];

/** The allowlist file for one section, with entries validated and de-duplicated. */
function renderList(ctx: ImportContext, name: string, section: ImportSection): ImportedFile {
  const lines = [`# ${name}: imported from ${ctx.confPath} by cordon import-squid.`, ...FILE_HEADER];
  const seen = new Set<string>();
  for (const { acl } of section.blocks) {
    const origin = acl.files.length > 0 ? acl.files.map((f) => `"${f}"`).join(' ') : 'inline values';
    lines.push('', `# acl ${acl.name} ${acl.type} ${origin} (squid.conf line ${acl.lines.join(', ')})`);
    for (const v of acl.values) {
      const checked = validateAllowEntry(v.value, v.origin);
      if (!checked.ok)
        ctx.skip(v.line, `${v.value}: ${checked.message} — fix: ${checked.fix}`, textOf(ctx, v));
      else if (!seen.has(checked.entry.value)) {
        seen.add(checked.entry.value);
        lines.push(checked.entry.value);
      }
    }
  }
  return { name, content: `${lines.join('\n')}\n` };
}

/** A group name the schema accepts, unique among those already taken. */
function groupName(raw: string, taken: Set<string>): string {
  let base =
    raw
      .toLowerCase()
      .replace(/[^a-z0-9_-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 50) || 'group';
  if (base === 'default') base = 'default-clients';
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/** cordon.yaml text and the allowlist files it references. */
export function renderImport(
  plan: ImportPlan,
  settings: ImportSettings,
  confPath: string,
): { yaml: string; files: ImportedFile[] } {
  const files: ImportedFile[] = [];
  const section = (
    scheme: Scheme,
    s: ImportSection | undefined,
    suffix: string,
  ): Record<string, unknown> | undefined => {
    if (s === undefined) return undefined;
    const file = renderList(plan.ctx, `allow${scheme}${suffix}.txt`, s);
    files.push(file);
    return { ports: [...s.ports].sort((a, b) => a - b), allowFiles: [file.name] };
  };
  const obj: Record<string, unknown> = {};
  if (settings.listen !== undefined) obj.listen = settings.listen;
  if (plan.clients !== null) obj.clients = plan.clients;
  obj.http = section('http', plan.top.http, '') ?? { ports: [80], allow: [] };
  obj.https = section('https', plan.top.https, '') ?? { ports: [443], allow: [] };
  const taken = new Set<string>();
  if (plan.groups.length > 0) {
    obj.groups = plan.groups.map((g) => {
      const name = groupName(g.name, taken);
      const out: Record<string, unknown> = { name, clients: g.clients, inherit: true };
      const http = section('http', g.sections.http, `-${name}`);
      const https = section('https', g.sections.https, `-${name}`);
      if (http) out.http = http;
      if (https) out.https = https;
      return out;
    });
  }
  if (settings.dnsServers !== undefined) obj.dns = { servers: settings.dnsServers };
  if (settings.accessLog !== undefined) obj.log = { access: settings.accessLog };
  return { yaml: renderYaml(obj, plan, confPath, plan.ctx.unmapped.length), files };
}

function renderYaml(
  obj: Record<string, unknown>,
  plan: ImportPlan,
  confPath: string,
  unmappedCount: number,
): string {
  const doc = new Document(obj);
  doc.commentBefore = [
    ` cordon.yaml: imported from ${confPath} by cordon import-squid.`,
    unmappedCount > 0
      ? ` ${unmappedCount} squid.conf line(s) were not mapped; import-squid listed each with the reason.`
      : ' Every squid.conf directive was mapped.',
    ' Check it with: cordon lint --config cordon.yaml',
  ].join('\n');
  const lineOf = (s: ImportSection | undefined): string =>
    s ? `http_access line ${s.blocks.map((b) => b.line).join(', ')}` : 'no http_access allow line';
  commentKey(doc, 'clients', ' Who may use the proxy (squid src acls such as localnet).');
  const connectNote = plan.top.http
    ? '\n Squid also let CONNECT through to these names on SSL_ports; cordon keeps HTTP and HTTPS\n' +
      ' apart: add them to the https list if they are needed there too.'
    : '';
  commentKey(doc, 'http', ` Plain HTTP (${lineOf(plan.top.http)}).${connectNote}`);
  commentKey(doc, 'https', ` HTTPS through CONNECT tunnels (${lineOf(plan.top.https)}).`);
  commentKey(doc, 'groups', ' Allow lines scoped to different src acls become client groups.');
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === 'ports' && isSeq(pair.value)) pair.value.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

function commentKey(doc: Document, key: string, comment: string): void {
  if (!isMap(doc.contents)) return;
  const pair = doc.contents.items.find((p) => isScalar(p.key) && p.key.value === key);
  if (pair && isScalar(pair.key)) (pair.key as Node).commentBefore = comment;
}
