/**
 * @module config/import-clients
 * Squid `src` ACL values → cordon client CIDRs: addresses and CIDRs as they are, `a.b.c.d/255.255.0.0`
 * masks turned into prefix lengths, `all` into every address. Address ranges (`a-b`) and anything
 * invalid are reported as not mapped. Pure apart from recording into the import context.
 */
import ipaddr from 'ipaddr.js';
import { basename } from 'node:path';
import { cidrProblem } from './checks.js';
import type { ImportContext } from './import-squid.js';
import type { Acl, AclValue } from './squid-conf.js';

const cache = new WeakMap<Acl, string[]>();

/** The acl's client ranges in cordon form; marks the acl used. */
export function srcCidrs(ctx: ImportContext, acl: Acl): string[] {
  ctx.usedAcls.add(acl.name);
  const cached = cache.get(acl);
  if (cached) return cached;
  const out: string[] = [];
  for (const v of acl.values) {
    const mapped = mapValue(v.value);
    if (Array.isArray(mapped)) out.push(...mapped);
    else ctx.skip(v.line, `${v.value}: ${mapped}`, textOf(ctx, v));
  }
  cache.set(acl, out);
  return out;
}

function mapValue(value: string): string[] | string {
  if (value === 'all') return ['0.0.0.0/0', '::/0'];
  if (/^[\d.]+-[\d.]+$/.test(value)) {
    return 'address ranges (a-b) are not supported; write the range as CIDRs in clients:';
  }
  let cidr = value;
  const mask = /^([\d.]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(value);
  if (mask) {
    const bits = ipaddr.IPv4.isValidFourPartDecimal(mask[2] ?? '')
      ? ipaddr.IPv4.parse(mask[2] ?? '').prefixLengthFromSubnetMask()
      : null;
    if (bits === null) return 'the netmask is not contiguous; write a CIDR';
    cidr = `${mask[1]}/${bits}`;
  }
  const problem = cidrProblem(cidr);
  return problem === null ? [cidr] : `${problem.message} — fix: ${problem.fix}`;
}

/** The text shown for a value: its squid.conf line as written, or `file:line: value` for acl files. */
export function textOf(ctx: ImportContext, v: AclValue): string | undefined {
  return v.origin.startsWith(`${basename(ctx.confPath)}:`) ? undefined : `${v.origin}: ${v.value}`;
}
