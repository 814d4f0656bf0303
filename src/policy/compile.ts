/**
 * @module policy/compile
 * Turns a validated `PolicySpec` into an immutable `Policy`: CIDR lists parsed, domain sets built,
 * port sets made, learn dates read — everything that can be done once per policy version, so the
 * per-request work in `decide()` is a few map probes. Pure.
 */
import { createCidrList, type CidrList } from './cidr.js';
import { createDomainSet, type DomainSet } from './domain-set.js';
import type { GroupSpec, Mode, PolicySpec, Scheme } from './types.js';

export interface CompiledScheme {
  readonly ports: ReadonlySet<number>;
  readonly allow: DomainSet;
}

export interface CompiledGroup {
  readonly name: string;
  readonly clients: CidrList;
  readonly mode: Mode;
  /** Epoch ms at which `learn` turns into `enforce`; Infinity when not learning. */
  readonly learnUntilMs: number;
  readonly schemes: Readonly<Record<Scheme, CompiledScheme>>;
}

export interface Policy {
  /** Increases with every successful load; decisions and records carry it. */
  readonly version: number;
  readonly spec: PolicySpec;
  readonly clients: CidrList;
  readonly groups: readonly CompiledGroup[];
}

function compileGroup(g: GroupSpec): CompiledGroup {
  let learnUntilMs = g.mode === 'learn' && g.learnUntil ? Date.parse(g.learnUntil) : Infinity;
  // An unreadable date must not mean "learn forever": fail closed and enforce from the start.
  if (Number.isNaN(learnUntilMs)) learnUntilMs = -Infinity;
  return Object.freeze({
    name: g.name,
    clients: createCidrList(g.clients),
    mode: g.mode,
    learnUntilMs,
    schemes: Object.freeze({
      http: Object.freeze({ ports: new Set(g.http.ports), allow: createDomainSet(g.http.allow) }),
      https: Object.freeze({ ports: new Set(g.https.ports), allow: createDomainSet(g.https.allow) }),
    }),
  });
}

/** Compile a spec. Throws `CORDON_POLICY_INVALID_CIDR` on a bad range (config validates first). */
export function compilePolicy(spec: PolicySpec, version: number): Policy {
  return Object.freeze({
    version,
    spec,
    clients: createCidrList(spec.clients),
    groups: Object.freeze(spec.groups.map(compileGroup)),
  });
}

// Client address → group, per policy version: a notebook fleet is a few hundred addresses, and
// parsing the address against every CIDR list on each request is the costliest step of decide().
const GROUP_CACHE = new WeakMap<Policy, Map<string, CompiledGroup | null>>();
const GROUP_CACHE_MAX = 4096;

function findGroup(policy: Policy, client: string): CompiledGroup | null {
  if (!policy.clients.contains(client)) return null;
  for (const g of policy.groups) if (g.clients.contains(client)) return g;
  return null;
}

/** The group whose rules apply to a client, or null when the client may not use the proxy. */
export function groupFor(policy: Policy, client: string): CompiledGroup | null {
  let cache = GROUP_CACHE.get(policy);
  if (cache === undefined) GROUP_CACHE.set(policy, (cache = new Map<string, CompiledGroup | null>()));
  const hit = cache.get(client);
  if (hit !== undefined) return hit;
  const group = findGroup(policy, client);
  if (cache.size >= GROUP_CACHE_MAX) cache.clear();
  cache.set(client, group);
  return group;
}
