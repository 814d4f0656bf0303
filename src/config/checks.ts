/**
 * @module config/checks
 * The rules zod's shapes cannot say: `listen` addresses, CIDRs (ipaddr.js), `dns.hosts` names and
 * addresses, resolver addresses, unique group names, `learnUntil` only with mode `learn`, the policy
 * source. They run on the raw YAML data, so they report even when other keys have the wrong type,
 * and every problem is collected. Pure.
 */
import ipaddr from 'ipaddr.js';
import { canonicalHost } from '../policy/host.js';
import { isStrictIp, networkOf } from './allowlist.js';
import type { ConfigIssue } from './errors.js';
import { formatPath, valueAt, type YamlPath, type YamlSource } from './yaml-source.js';

type Problem = { message: string; fix: string } | null;

interface Ctx {
  readonly file: string;
  readonly source: YamlSource;
  readonly issues: ConfigIssue[];
}

const LISTEN_FIX = 'write HOST:PORT, e.g. 0.0.0.0:3128, 127.0.0.1:9090 or [::]:3128';
const HOST_PORT = /^(?:\[([^\]]*)\]|([^:[\]]+)):(\d{1,5})$/;

/** A listener address `HOST:PORT` (`[v6]:PORT`); port 0 picks a free port. */
export function listenProblem(value: string): Problem {
  const m = HOST_PORT.exec(value);
  if (m === null) return { message: 'not a HOST:PORT address', fix: LISTEN_FIX };
  const [, v6, host = '', port] = m;
  if (Number(port) > 65535) return { message: 'the port must be 0-65535', fix: LISTEN_FIX };
  if (v6 !== undefined)
    return ipaddr.IPv6.isValid(v6) ? null : { message: 'not an IPv6 address', fix: LISTEN_FIX };
  if (isStrictIp(host) || isCanonicalName(host)) return null;
  return { message: 'the host is not an IPv4 address or a host name', fix: LISTEN_FIX };
}

/** A resolver address: `ip`, `ip:port` or `[v6]:port`. */
function serverProblem(value: string): Problem {
  const fix = 'write an IP address, optionally with a port: 10.0.0.2, 10.0.0.2:53 or [fd00::2]:53';
  if (isStrictIp(value)) return null;
  const m = HOST_PORT.exec(value);
  const ok = m !== null && Number(m[3]) >= 1 && Number(m[3]) <= 65535 && isStrictIp(m[1] ?? m[2] ?? '');
  return ok ? null : { message: 'not a resolver address', fix };
}

/** An address or CIDR for client and private-range lists. */
export function cidrProblem(value: string): Problem {
  const [addr = '', bits, ...extra] = value.split('/');
  const fix = 'write an address like 10.0.0.5 or a CIDR like 10.0.0.0/16 (IPv6: fd00::/8)';
  if (extra.length > 0 || !isStrictIp(addr)) return { message: 'not an address or CIDR', fix };
  if (bits === undefined) return null;
  let net: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    if (!/^\d{1,3}$/.test(bits)) throw new Error('prefix');
    [net, prefix] = ipaddr.parseCIDR(value);
  } catch {
    return { message: 'not a valid CIDR', fix };
  }
  const network = networkOf(net, prefix);
  if (network === net.toString()) return null;
  return {
    message: 'the range has host bits set',
    fix: `use ${network}/${prefix} (or ${addr} for one address)`,
  };
}

function isCanonicalName(name: string): boolean {
  try {
    const c = canonicalHost(name);
    return !c.isIp && c.host === name;
  } catch {
    return false;
  }
}

function report(ctx: Ctx, path: YamlPath, value: unknown, problem: Problem): void {
  if (problem === null) return;
  ctx.issues.push({
    file: ctx.file,
    line: ctx.source.lineOf(path),
    path: formatPath(path),
    value,
    ...problem,
  });
}

function eachString(data: unknown, path: YamlPath, fn: (value: string, at: YamlPath) => void): void {
  const list = valueAt(data, path);
  if (!Array.isArray(list)) return;
  list.forEach((v, i) => {
    if (typeof v === 'string') fn(v, [...path, i]);
  });
}

function groupsOf(data: unknown): [Record<string, unknown>, number][] {
  const groups = valueAt(data, ['groups']);
  if (!Array.isArray(groups)) return [];
  return groups.flatMap((g: unknown, i) =>
    g !== null && typeof g === 'object' && !Array.isArray(g) ? [[g as Record<string, unknown>, i]] : [],
  );
}

/** Run every cross-field rule on the raw data; returns all problems found. */
export function crossCheck(data: unknown, file: string, source: YamlSource): ConfigIssue[] {
  const ctx: Ctx = { file, source, issues: [] };
  for (const path of [['listen'], ['admin', 'listen']]) {
    const v = valueAt(data, path);
    if (typeof v === 'string') report(ctx, path, v, listenProblem(v));
  }
  const cidrLists: YamlPath[] = [['clients'], ['dns', 'allowPrivate']];
  for (const [, i] of groupsOf(data)) cidrLists.push(['groups', i, 'clients']);
  for (const path of cidrLists) eachString(data, path, (v, at) => report(ctx, at, v, cidrProblem(v)));
  eachString(data, ['dns', 'servers'], (v, at) => report(ctx, at, v, serverProblem(v)));
  checkHosts(data, ctx);
  checkGroups(data, ctx);
  checkPolicySource(data, ctx);
  return ctx.issues;
}

function checkHosts(data: unknown, ctx: Ctx): void {
  const hosts = valueAt(data, ['dns', 'hosts']);
  if (hosts === null || typeof hosts !== 'object' || Array.isArray(hosts)) return;
  for (const [name, ip] of Object.entries(hosts as Record<string, unknown>)) {
    const at = ['dns', 'hosts', name];
    if (!isCanonicalName(name)) {
      let fix = 'write the name in lowercase, without a trailing dot, IDNs in punycode';
      try {
        const c = canonicalHost(name);
        if (!c.isIp) fix = `use ${c.host}`;
      } catch {
        // Not a host name at all: keep the generic fix.
      }
      report(ctx, at, name, { message: 'the key must be a canonical host name', fix });
    }
    if (typeof ip === 'string' && !isStrictIp(ip)) {
      report(ctx, at, ip, { message: 'not an IP address', fix: 'write an address like 10.0.0.5 or fd00::5' });
    }
  }
}

function checkGroups(data: unknown, ctx: Ctx): void {
  const topMode = valueAt(data, ['mode']) ?? 'enforce';
  if (valueAt(data, ['learnUntil']) !== undefined && topMode !== 'learn') {
    report(ctx, ['learnUntil'], valueAt(data, ['learnUntil']), {
      message: 'learnUntil only applies with mode: learn',
      fix: 'set mode: learn, or remove learnUntil',
    });
  }
  const firstByName = new Map<string, number>();
  for (const [g, i] of groupsOf(data)) {
    if (typeof g.name === 'string') {
      const first = firstByName.get(g.name);
      if (g.name === 'default') {
        report(ctx, ['groups', i, 'name'], g.name, {
          message: '"default" is the name of the top-level rules',
          fix: 'give the group another name',
        });
      } else if (first !== undefined) {
        report(ctx, ['groups', i, 'name'], g.name, {
          message: `duplicate group name (first used by groups[${first}])`,
          fix: 'give each group its own name',
        });
      } else firstByName.set(g.name, i);
    }
    if (g.learnUntil !== undefined && (g.mode ?? topMode) !== 'learn') {
      report(ctx, ['groups', i, 'learnUntil'], g.learnUntil, {
        message: "learnUntil only applies when the group's mode is learn",
        fix: 'set mode: learn on the group, or remove learnUntil',
      });
    }
  }
}

function checkPolicySource(data: unknown, ctx: Ctx): void {
  const v = valueAt(data, ['policy', 'source']);
  if (typeof v !== 'string') return;
  if (v === 'file:' || /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/.test(v) || /^ssm:\/\S+$/.test(v))
    return;
  report(ctx, ['policy', 'source'], v, {
    message: 'not a policy source',
    fix: 'use file:, s3://bucket/key or ssm:/parameter/name',
  });
}
