/**
 * @module config/import-plan
 * Mapped squid allow rules → where their entries go: the top-level sections, or one group per src
 * acl when allow lines use different ones. Clients never widen: a src acl with no usable address
 * drops its rules (reported) instead of falling back to a wider default. Pure.
 */
import { srcCidrs } from './import-clients.js';
import type { ImportPlan, Sections } from './import-render.js';
import type { ImportContext, Rule } from './import-squid.js';

/** Rules → top-level sections (and groups when allow lines use different src acls). */
export function planSections(ctx: ImportContext, rules: readonly Rule[]): ImportPlan {
  const key = (r: Rule): string => r.src.map((a) => a.name).join(',');
  const keys = [...new Set(rules.map(key).filter((k) => k !== ''))];
  const grouped = keys.length > 1;
  const top: Sections = {};
  const groups: { name: string; clients: string[]; sections: Sections }[] = [];
  // Each src acl's usable ranges; an acl with none drops its rules rather than widen them.
  const targets = new Map<string, Sections | null>();
  for (const k of keys) {
    const acl = rules.find((r) => key(r) === k)?.src[0];
    const clients = acl ? srcCidrs(ctx, acl) : [];
    if (clients.length === 0) targets.set(k, null);
    else if (!grouped) targets.set(k, top);
    else {
      const sections: Sections = {};
      groups.push({ name: k, clients, sections });
      targets.set(k, sections);
    }
  }
  for (const r of rules) {
    const k = key(r);
    const target = k === '' ? top : targets.get(k);
    if (!target) {
      ctx.skip(r.line, `acl ${k} has no client address cordon can use (see its lines)`);
      continue;
    }
    const section = (target[r.scheme] ??= { ports: [], blocks: [] });
    for (const p of r.ports) if (!section.ports.includes(p)) section.ports.push(p);
    section.blocks.push({ acl: r.dst, line: r.line });
  }
  // No src acl on any allow line: squid allowed any client; localnet (or cordon's default) is narrower.
  const localnet = ctx.acls.get('localnet');
  const single = keys.length === 1 ? rules.find((r) => key(r) === keys[0])?.src[0] : undefined;
  const clientAcl = keys.length === 0 ? localnet : single;
  const clients = grouped
    ? [...new Set(groups.flatMap((g) => g.clients))]
    : clientAcl
      ? srcCidrs(ctx, clientAcl)
      : [];
  return { clients: clients.length > 0 ? clients : null, top, groups, ctx };
}
