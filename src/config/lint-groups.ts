/**
 * @module config/lint-groups
 * Lint findings about groups and modes: groups whose clients can never use the proxy or are always
 * matched by an earlier group, report/learn modes, unusual ports, and
 * a policy that allows nothing at all. Pure.
 */
import { basename } from 'node:path';
import type { GroupSpec } from '../policy/types.js';
import type { LintFinding, LintInput, LintLevel } from './lint.js';
import { contains, rangeOf, rangesOf, type Range } from './ranges.js';

/** Findings about every group (the last is `default`, the top-level rules). */
export function groupFindings(input: LintInput, now: number): LintFinding[] {
  const cfg = input.path === null ? '<built-in>' : basename(input.path);
  const out: LintFinding[] = [];
  const topRanges = rangesOf(input.policySpec.clients);
  const earlier: Range[] = [];
  input.policySpec.groups.forEach((g, i) => {
    const isDefault = i === input.policySpec.groups.length - 1;
    const at = isDefault ? '' : `groups[${i}].`;
    const modeWritten = isDefault || input.config.groups[i]?.mode !== undefined;
    if (modeWritten) out.push(...modeFindings(g, `${cfg}:${at}mode`, now));
    out.push(...portFindings(g, `${cfg}:${at}`, isDefault ? undefined : input.policySpec.groups.at(-1)));
    if (isDefault) return;
    const ranges = rangesOf(g.clients);
    const outside = g.clients.filter((c) => {
      const r = rangeOf(c);
      return r !== null && !topRanges.some((t) => contains(t, r));
    });
    const where = `${cfg}:groups[${i}].clients`;
    if (outside.length > 0) {
      out.push({
        level: 'warning',
        source: where,
        entry: `group ${g.name}`,
        message: `${outside.join(', ')} not in clients:, so these clients can never use the proxy`,
        fix: 'add them to the top-level clients, or remove them from the group',
      });
    } else if (ranges.every((r) => earlier.some((e) => contains(e, r)))) {
      out.push({
        level: 'warning',
        source: where,
        entry: `group ${g.name}`,
        message: 'every client of this group is matched by an earlier group first, so its rules never apply',
        fix: 'move the group above the wider one, or narrow the earlier group',
      });
    }
    earlier.push(...ranges);
  });
  if (input.policySpec.groups.every((g) => g.http.allow.length === 0 && g.https.allow.length === 0)) {
    out.push({
      level: 'info',
      source: `${cfg}:http`,
      entry: 'allowlists',
      message: 'nothing is allowlisted: every request is denied (and logged)',
      fix: 'add destinations under http.allow / https.allow or in allowlist files (allowFiles)',
    });
  }
  return out;
}

function modeFindings(g: GroupSpec, source: string, now: number): LintFinding[] {
  const entry = `group ${g.name}: mode ${g.mode}`;
  const info = (level: LintLevel, message: string, fix: string): LintFinding[] => [
    { level, source, entry, message, fix },
  ];
  switch (g.mode) {
    case 'enforce':
      return [];
    case 'report':
      return info(
        'info',
        'nothing is denied: would-be denials are only logged',
        'switch to mode: enforce once the review queue is empty',
      );
    case 'learn': {
      // The schema refuses learn mode without learnUntil (`learnNeedsDate`).
      if (g.learnUntil === undefined) return [];
      const ended = Date.parse(g.learnUntil) <= now;
      return ended
        ? info(
            'info',
            `learning ended at ${g.learnUntil}: this group enforces`,
            'set mode: enforce and remove learnUntil',
          )
        : info(
            'info',
            `nothing is denied until ${g.learnUntil}: would-be denials are only logged`,
            'review the queue before that date',
          );
    }
  }
}

/** Odd ports, reported where they are written (not again for groups that inherit them). */
function portFindings(g: GroupSpec, prefix: string, parent: GroupSpec | undefined): LintFinding[] {
  const out: LintFinding[] = [];
  if (g.http.ports.includes(443) && g.http.ports !== parent?.http.ports) {
    out.push({
      level: 'info',
      source: `${prefix}http.ports`,
      entry: `group ${g.name}: 443`,
      message: 'plain-HTTP requests to port 443 are allowed; HTTPS goes through CONNECT and https.ports',
      fix: 'remove 443 from http.ports unless a server really speaks plain HTTP there',
    });
  }
  if (g.https.ports.includes(80) && g.https.ports !== parent?.https.ports) {
    out.push({
      level: 'info',
      source: `${prefix}https.ports`,
      entry: `group ${g.name}: 80`,
      message: 'CONNECT tunnels to port 80 are allowed; plain HTTP is better forwarded through http.ports',
      fix: 'remove 80 from https.ports',
    });
  }
  return out;
}
