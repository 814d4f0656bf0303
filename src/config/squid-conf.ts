/**
 * @module config/squid-conf
 * Reads a classic squid.conf for `import-squid`: directives with their line numbers (comments,
 * blank lines and `\` continuations handled), and the `acl` table with every value traced to its
 * origin, including dstdomain files referenced as `"/etc/squid/allowhttps.txt"` (looked up by
 * basename next to squid.conf when the absolute path does not exist). Reads files; maps nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errorCode } from '../errors.js';

/** One directive: `acl localnet src 10.0.0.0/8` → name `acl`, args `['localnet', 'src', '10.0.0.0/8']`. */
export interface SquidLine {
  readonly line: number;
  /** The directive as written (continuations joined, trailing comment removed). */
  readonly text: string;
  readonly name: string;
  readonly args: readonly string[];
}

/** A line the import could not map, and why. */
export interface Unmapped {
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

export interface AclValue {
  readonly value: string;
  /** Where the value came from: `squid.conf:12` or `allowhttps.txt:3`. */
  readonly origin: string;
  /** The squid.conf line of the `acl` directive that brought it in. */
  readonly line: number;
}

export interface Acl {
  readonly name: string;
  readonly type: string;
  readonly values: AclValue[];
  /** squid.conf lines that define it; empty for squid's built-in ACLs. */
  readonly lines: number[];
  /** Files it reads, as resolved. */
  readonly files: string[];
}

/** Split squid.conf into directives. Squid reads `#` as a comment to the end of the line. */
export function parseSquidConf(text: string): SquidLine[] {
  const out: SquidLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let joined = lines[i] ?? '';
    while (joined.endsWith('\\') && i + 1 < lines.length)
      joined = joined.slice(0, -1) + ' ' + (lines[++i] ?? '');
    const body = joined.replace(/(^|\s)#.*$/, '').trim();
    if (body === '') continue;
    const tokens = body.match(/"[^"]*"|\S+/g) ?? [];
    const [name = '', ...args] = tokens;
    out.push({ line: start, text: body, name: name.toLowerCase(), args });
  }
  return out;
}

/** Squid's predefined ACLs (squid 4+), used when squid.conf does not define them itself. */
const BUILTIN_ACLS: Record<string, { type: string; values: string[] }> = {
  all: { type: 'src', values: ['0.0.0.0/0', '::/0'] },
  localhost: { type: 'src', values: ['127.0.0.1/32', '::1/128'] },
  to_localhost: { type: 'dst', values: ['127.0.0.0/8', '0.0.0.0/32', '::1/128'] },
  manager: { type: 'manager', values: [] },
};

/** Build the ACL table; problems (unreadable files, type clashes) come back as unmapped lines. */
export function collectAcls(
  lines: readonly SquidLine[],
  confPath: string,
): { acls: Map<string, Acl>; unmapped: Unmapped[] } {
  const acls = new Map<string, Acl>();
  const unmapped: Unmapped[] = [];
  const confName = basename(confPath);
  for (const l of lines) {
    if (l.name !== 'acl') continue;
    const [name, rawType, ...rest] = l.args;
    if (name === undefined || rawType === undefined) {
      unmapped.push({ line: l.line, text: l.text, why: 'an acl needs a name and a type' });
      continue;
    }
    const type = rawType.toLowerCase();
    const acl = acls.get(name) ?? { name, type, values: [], lines: [], files: [] };
    if (acl.type !== type) {
      unmapped.push({
        line: l.line,
        text: l.text,
        why: `acl ${name} was first defined as ${acl.type}, not ${type}`,
      });
      continue;
    }
    acls.set(name, acl);
    acl.lines.push(l.line);
    let flags = true; // Squid options (-i, -n) come right after the type.
    for (const token of rest) {
      flags &&= /^-[a-z]/i.test(token);
      if (flags) continue;
      if (token.startsWith('"') && token.endsWith('"') && token.length > 1) {
        readAclFile(token.slice(1, -1), confPath, acl, l, unmapped);
      } else acl.values.push({ value: token, origin: `${confName}:${l.line}`, line: l.line });
    }
  }
  for (const [name, b] of Object.entries(BUILTIN_ACLS)) {
    if (acls.has(name)) continue;
    const values = b.values.map((value) => ({ value, origin: `built-in acl ${name}`, line: 0 }));
    acls.set(name, { name, type: b.type, values, lines: [], files: [] });
  }
  return { acls, unmapped };
}

/** Candidate paths for a file squid.conf references: as written, then by basename beside squid.conf. */
export function aclFileCandidates(written: string, confPath: string): string[] {
  const beside = join(dirname(confPath), basename(written));
  const asWritten = resolve(dirname(confPath), written);
  return asWritten === beside ? [asWritten] : [asWritten, beside];
}

function readAclFile(written: string, confPath: string, acl: Acl, l: SquidLine, unmapped: Unmapped[]): void {
  const candidates = aclFileCandidates(written, confPath);
  const file = candidates.find((c) => existsSync(c));
  if (file === undefined) {
    unmapped.push({ line: l.line, text: l.text, why: `file not found: tried ${candidates.join(' and ')}` });
    return;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e: unknown) {
    unmapped.push({ line: l.line, text: l.text, why: `cannot read ${file} (${errorCode(e) ?? 'error'})` });
    return;
  }
  acl.files.push(file);
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const value = raw.replace(/#.*$/, '').trim();
      if (value !== '') acl.values.push({ value, origin: `${basename(file)}:${i + 1}`, line: l.line });
    });
}
