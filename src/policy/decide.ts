/**
 * @module policy/decide
 * `decide()`: the pure decision for one destination — client group → scheme → port → destination →
 * mode. No DNS, no I/O: a denied name is never resolved because nothing here can resolve it.
 * Returns a `Decision` value with a stable reason; never throws for a well-formed input. An allowed
 * destination's decision is kept per group, scheme, host and port for the compiled policy's lifetime
 * (a reload compiles new groups, so nothing outlives it): the same frozen value is returned while
 * the group's mode is unchanged.
 */
import { groupFor, type CompiledGroup, type CompiledScheme, type Policy } from './compile.js';
import { REASONS, type Decision, type DecisionInput, type Mode, type ReasonCode } from './types.js';

/** The mode in force for a group at `nowMs`: `learn` past its date is `enforce`. */
export function effectiveMode(group: CompiledGroup, nowMs: number): Mode {
  if (group.mode === 'learn' && nowMs >= group.learnUntilMs) return 'enforce';
  return group.mode;
}

function target(input: DecisionInput): string {
  const host = input.host.includes(':') ? `[${input.host}]` : input.host;
  return `${input.scheme}://${host}:${input.port}`;
}

function denied(group: CompiledGroup, mode: Mode, reason: ReasonCode, detail: string): Decision {
  // report and learn let the request through and record what enforce would have done.
  const lenient = mode !== 'enforce';
  return { allow: lenient, wouldDeny: lenient, reason, group: group.name, mode, rule: null, detail };
}

// Allowed decisions by compiled scheme → host → port. Only allowed ones: a client probing random
// names cannot churn it, and an allowlist (even with `.domain` entries) names few hosts in use.
const ALLOWED = new WeakMap<CompiledScheme, Map<string, Map<number, Decision>>>();
const ALLOWED_MAX_HOSTS = 10_000;

function keep(scheme: CompiledScheme, input: DecisionInput, d: Decision): Decision {
  let hosts = ALLOWED.get(scheme);
  if (hosts === undefined) ALLOWED.set(scheme, (hosts = new Map<string, Map<number, Decision>>()));
  let ports = hosts.get(input.host);
  if (ports === undefined) {
    if (hosts.size >= ALLOWED_MAX_HOSTS) hosts.clear();
    hosts.set(input.host, (ports = new Map<number, Decision>()));
  }
  const frozen = Object.freeze(d);
  ports.set(input.port, frozen);
  return frozen;
}

/** Decide one destination for one client under `policy`. */
export function decide(policy: Policy, input: DecisionInput, nowMs: number = Date.now()): Decision {
  const group = groupFor(policy, input.client);
  if (group === null) {
    return {
      allow: false,
      wouldDeny: false,
      reason: REASONS.clientNotAllowed,
      group: '-',
      mode: 'enforce',
      rule: null,
      detail: `client ${input.client} is not in the proxy's allowed clients`,
    };
  }
  const mode = effectiveMode(group, nowMs);
  const scheme = group.schemes[input.scheme];
  // A learn group past its date enforces from then on: a kept decision in the old mode is not reused.
  const kept = input.isIp ? undefined : ALLOWED.get(scheme)?.get(input.host)?.get(input.port);
  if (kept !== undefined && kept.mode === mode) return kept;
  if (!scheme.ports.has(input.port)) {
    const ports = [...scheme.ports].join(', ');
    return denied(
      group,
      mode,
      REASONS.portNotAllowed,
      `port ${input.port} is not an allowed ${input.scheme} port (${ports})`,
    );
  }
  const entry = input.isIp ? scheme.allow.matchIp(input.host) : scheme.allow.matchHost(input.host);
  if (entry === null) {
    return input.isIp
      ? denied(
          group,
          mode,
          REASONS.ipLiteralNotAllowed,
          `${target(input)}: IP addresses are allowed only when the policy names them`,
        )
      : denied(
          group,
          mode,
          REASONS.notAllowlisted,
          `${target(input)} is not on the ${input.scheme} allowlist of group ${group.name}`,
        );
  }
  const d: Decision = {
    allow: true,
    wouldDeny: false,
    reason: REASONS.allowed,
    group: group.name,
    mode,
    rule: `${entry.value} (${entry.source})`,
    detail: `${target(input)} matches ${entry.value}`,
  };
  return input.isIp ? d : keep(scheme, input, d);
}
