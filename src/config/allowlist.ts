/**
 * @module config/allowlist
 * Allowlist entries: the one validator (`validateAllowEntry`) used for inline `allow:` items, for
 * allowlist files and for squid imports, so the same rules apply everywhere; and the parser of the
 * seed's file format (one entry per line, `#` comments, blank lines, CRLF). Pure; callers read files.
 */
import ipaddr from 'ipaddr.js';
import { getPublicSuffix } from 'tldts';
import { errorMessage } from '../errors.js';
import { canonicalHost } from '../policy/host.js';
import type { AllowEntry } from '../policy/types.js';
import { CONFIG_ERRORS, ConfigError, type ConfigErrorCode, type ConfigIssue } from './errors.js';
import { isAwsApex, isLintedSuffix } from './exfil-routes.js';

/** The outcome of checking one entry: the normalised entry, or why not and what to write instead. */
export type AllowEntryCheck =
  | { readonly ok: true; readonly entry: AllowEntry }
  | { readonly ok: false; readonly code: ConfigErrorCode; readonly message: string; readonly fix: string };

type Problem = Extract<AllowEntryCheck, { ok: false }>;

const bad = (message: string, fix: string, code: ConfigErrorCode = CONFIG_ERRORS.allowlist): Problem => ({
  ok: false,
  code,
  message,
  fix,
});

const HOST_LABEL = /^[a-z0-9_-]+$/;
const IPV4_LIKE = /^[\d.]+$/;
const ALLOW_ALL = new Set(['*', '.', '*.', '**', '*.*']);

/**
 * Check and normalise one entry in squid `dstdomain` syntax (`example.com`, `.example.com`,
 * `*.example.com`), or an IPv4/IPv6 address or CIDR. Names are lowercased and IDNs turned into
 * punycode; the leading `.` or `*.` is kept. `source` is stored on the entry (`allowhttps.txt:14`).
 */
export function validateAllowEntry(value: string, source: string): AllowEntryCheck {
  const raw = value.trim();
  const checked = checkEntry(raw);
  if (typeof checked !== 'string') return checked;
  return { ok: true, entry: Object.freeze({ value: checked, source }) };
}

function checkEntry(raw: string): string | Problem {
  if (raw === '') return bad('empty entry', 'remove it');
  if (ALLOW_ALL.has(raw)) {
    return bad(
      'this would allow every destination',
      'list the domains you need; there is no allow-all entry',
    );
  }
  if (/\s/.test(raw)) return bad('one entry per line', 'put each entry on its own line');
  if (raw.includes('://')) return urlProblem(raw);
  const ipLike = !raw.startsWith('.') && IPV4_LIKE.test(raw.split('/')[0] ?? '');
  if (raw.startsWith('[') || raw.includes(':') || ipLike) {
    return checkAddress(raw);
  }
  if (raw.includes('/')) {
    return bad('paths cannot be allowlisted (HTTPS hides them from the proxy)', `use ${raw.split('/')[0]}`);
  }
  return checkDomain(raw);
}

function urlProblem(raw: string): Problem {
  try {
    const host = new URL(raw).hostname;
    if (host !== '') return bad('write a host name, not a URL', `use ${host.replace(/^\[|\]$/g, '')}`);
  } catch {
    // Not even a URL: fall through to the generic advice.
  }
  return bad('write a host name, not a URL', 'use just the host, e.g. example.org');
}

/** An IPv4/IPv6 address or CIDR, in canonical form; or a `host:port` mistake. */
function checkAddress(raw: string): string | Problem {
  if (raw.startsWith('[')) {
    const inner = raw.slice(1, raw.indexOf(']'));
    if (raw.endsWith(']') && ipaddr.IPv6.isValid(inner)) {
      return bad('write IPv6 addresses without brackets', `use ${inner}`);
    }
    return bad('ports do not belong in an allowlist entry', `use ${inner} and list the port in ports:`);
  }
  const [addr = '', bits, ...extra] = raw.split('/');
  const colons = addr.split(':').length - 1;
  if (colons === 1 && extra.length === 0 && bits === undefined) {
    const host = addr.slice(0, addr.indexOf(':'));
    return bad('ports do not belong in an allowlist entry', `use ${host} and list the port in ports:`);
  }
  if (!isStrictIp(addr) || extra.length > 0) {
    return bad('not a valid IP address or CIDR', 'write an address like 10.0.0.5 or 2001:db8::5, or a CIDR');
  }
  if (bits === undefined) return ipaddr.parse(addr).toString();
  return checkCidr(raw, addr, bits);
}

function checkCidr(raw: string, addr: string, bits: string): string | Problem {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    if (!/^\d{1,3}$/.test(bits)) throw new Error('bad prefix length');
    parsed = ipaddr.parseCIDR(raw);
  } catch {
    return bad('not a valid CIDR', `write the prefix length as a number, e.g. ${addr}/24`);
  }
  const [net, prefix] = parsed;
  if (prefix === 0) return bad('this range is every address', 'list the addresses or ranges you need');
  const network = networkOf(net, prefix);
  if (network !== net.toString()) {
    return bad('the range has host bits set', `use ${network}/${prefix} (or ${addr} for one address)`);
  }
  return `${network}/${prefix}`;
}

/** Dotted-quad IPv4 (no octal, hex or short forms) or any valid IPv6 text form. */
export function isStrictIp(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value) || (value.includes(':') && ipaddr.IPv6.isValid(value));
}

/** The network address of `net/prefix` in canonical text. */
export function networkOf(net: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const cidr = `${net.toString()}/${prefix}`;
  return net.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()
    : ipaddr.IPv6.networkAddressFromCIDR(cidr).toString();
}

/** `example.com`, `.example.com` or `*.example.com`, canonicalised, never a public suffix. */
function checkDomain(raw: string): string | Problem {
  const prefix = raw.startsWith('*.') ? '*.' : raw.startsWith('.') ? '.' : '';
  const rest = raw.slice(prefix.length);
  if (rest.includes('*')) return wildcardProblem(raw, prefix, rest);
  let host: string;
  try {
    const c = canonicalHost(rest);
    if (c.isIp) {
      return prefix === ''
        ? bad('write IP addresses in dotted-decimal form', `use ${c.host}`)
        : bad(`a leading ${prefix} applies to domain names, not addresses`, `use ${c.host}`);
    }
    host = c.host;
  } catch (e: unknown) {
    return bad(`not a valid host name: ${errorMessage(e).replace(/^invalid host "[^"]*": /, '')}`, HOST_FIX);
  }
  if (!host.split('.').every((l) => HOST_LABEL.test(l))) {
    return bad('not a valid host name: only letters, digits, - and _ are allowed in labels', HOST_FIX);
  }
  if (prefix !== '' && isPublicSuffix(host)) {
    return bad(
      `${prefix}${host} would cover every site under the public suffix ${host}`,
      `name the domain you need under it, e.g. ${prefix}example.${host}`,
      CONFIG_ERRORS.publicSuffix,
    );
  }
  return prefix + host;
}

const HOST_FIX = 'write a host name like example.org, .example.org or *.example.org';

function wildcardProblem(raw: string, prefix: string, rest: string): Problem {
  const message = 'a * is only allowed as a leading *. (subdomains only)';
  if (prefix === '' && raw.startsWith('*') && !rest.slice(1).includes('*')) {
    return bad(message, `use .${raw.slice(1).replace(/^\.+/, '')} (the domain and its subdomains)`);
  }
  const tail = rest.slice(rest.lastIndexOf('*') + 1).replace(/^[^.]*\./, '');
  if (isAwsApex(tail)) return bad(message, 'name each bucket or endpoint, e.g. .my-bucket.s3.amazonaws.com');
  const hint = tail.includes('.') ? ` or .${tail} for the whole domain` : '';
  return bad(message, `list each host you need${hint}`);
}

/**
 * True when `domain` is itself a public suffix, including private ones (`github.io`). S3 endpoints
 * and githubusercontent.com are exempt: they get a lint warning that says what to write instead.
 */
export function isPublicSuffix(domain: string): boolean {
  return getPublicSuffix(domain, { allowPrivateDomains: true }) === domain && !isLintedSuffix(domain);
}

/** Entries and problems of one allowlist file; `displayName` is what entry sources show. */
export interface ScannedAllowlist {
  readonly entries: AllowEntry[];
  readonly issues: ConfigIssue[];
}

/**
 * Parse an allowlist file's text: one entry per line, `#` starts a comment (whole line or trailing),
 * blank lines ignored, CRLF and a UTF-8 BOM tolerated. Never throws; problems come back as issues.
 */
export function scanAllowlist(text: string, file: string, displayName: string = file): ScannedAllowlist {
  const entries: AllowEntry[] = [];
  const issues: ConfigIssue[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const hash = rawLine.indexOf('#');
    const value = (hash === -1 ? rawLine : rawLine.slice(0, hash)).trim();
    if (value === '') return;
    const checked = validateAllowEntry(value, `${displayName}:${i + 1}`);
    if (checked.ok) entries.push(checked.entry);
    else
      issues.push({
        file,
        line: i + 1,
        value,
        message: checked.message,
        fix: checked.fix,
        code: checked.code,
      });
  });
  return { entries, issues };
}

/** Like `scanAllowlist`, but throws one `ConfigError` listing every bad line. */
export function parseAllowlist(text: string, file: string, displayName: string = file): AllowEntry[] {
  const { entries, issues } = scanAllowlist(text, file, displayName);
  if (issues.length > 0) throw new ConfigError(issues);
  return entries;
}
