/**
 * @module admin/policy-view
 * The policy as the API and the Policy page show it: each group with its clients, mode (as written
 * and in force now), ports, allowlist entries with their sources, and where an approval would write;
 * plus the policy version, the file hash that edits must match, and lint warnings. Read-only.
 */
import { relative } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import type { LintFinding } from '../config/lint.js';
import { effectiveMode } from '../policy/decide.js';
import type { Policy } from '../policy/compile.js';
import type { AllowEntry, Mode, Scheme } from '../policy/types.js';

export interface SchemeView {
  ports: readonly number[];
  allow: readonly AllowEntry[];
  /** Where an approval for this group and scheme is written: an allowlist file or `cordon.yaml`. */
  writesTo: string;
}

export interface GroupView {
  name: string;
  clients: readonly string[];
  mode: Mode;
  /** The mode in force now (`learn` past its date enforces). */
  effectiveMode: Mode;
  learnUntil: string | null;
  http: SchemeView;
  https: SchemeView;
}

export interface PolicyView {
  version: number;
  /** Hash of the policy files now; send it back as `If-Match` (or `policyHash`) to edit safely. */
  hash: string;
  path: string | null;
  source: string;
  editable: boolean;
  groups: GroupView[];
  warnings: readonly LintFinding[];
}

/** A path as shown to people: relative to the config folder when inside it. */
export function displayPath(loaded: LoadedConfig, abs: string): string {
  if (loaded.path === null) return abs;
  const rel = relative(`${loaded.path}/..`, abs);
  return rel.startsWith('..') ? abs : rel;
}

export function policyView(
  loaded: LoadedConfig,
  policy: Policy,
  hash: string,
  nowMs = Date.now(),
): PolicyView {
  const configName = loaded.path === null ? '<built-in>' : displayPath(loaded, loaded.path);
  const writesTo = (group: string, scheme: Scheme): string => {
    const section =
      group === 'default'
        ? loaded.config[scheme]
        : loaded.config.groups.find((g) => g.name === group)?.[scheme];
    const file = section?.allowFiles[0];
    return file === undefined
      ? `${configName} (${group === 'default' ? '' : `group ${group}, `}${scheme}.allow)`
      : displayPath(loaded, file);
  };
  const groups = loaded.policySpec.groups.map((g): GroupView => {
    const compiled = policy.groups.find((c) => c.name === g.name);
    return {
      name: g.name,
      clients: g.clients,
      mode: g.mode,
      effectiveMode: compiled ? effectiveMode(compiled, nowMs) : g.mode,
      learnUntil: g.learnUntil ?? null,
      http: { ports: g.http.ports, allow: g.http.allow, writesTo: writesTo(g.name, 'http') },
      https: { ports: g.https.ports, allow: g.https.allow, writesTo: writesTo(g.name, 'https') },
    };
  });
  const source = loaded.config.policy.source;
  return {
    version: policy.version,
    hash,
    path: loaded.path,
    source,
    editable: loaded.path !== null && source === 'file:',
    groups,
    warnings: loaded.warnings,
  };
}
