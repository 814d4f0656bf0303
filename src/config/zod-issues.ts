/**
 * @module config/zod-issues
 * Turns zod's issues into `ConfigIssue`s an operator can act on: the line in cordon.yaml, the YAML
 * path, the bad value and a fix (the known keys for a misspelt one, the allowed values for an enum).
 * Reads the schema's structure; never changes it. Pure.
 */
import type { z } from 'zod';
import type { ConfigIssue } from './errors.js';
import { formatPath, valueAt, type YamlPath, type YamlSource } from './yaml-source.js';

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

export interface ZodIssueContext {
  readonly file: string;
  readonly source: YamlSource;
  readonly data: unknown;
  readonly schema: Schema;
}

/** One zod issue → one or more located config issues (unknown keys come one per key). */
export function mapZodIssue(issue: Issue, ctx: ZodIssueContext): ConfigIssue[] {
  const path = issue.path as YamlPath;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(ctx.schema, path);
    return issue.keys.map((key) => {
      const guess = closest(key, known);
      return {
        file: ctx.file,
        line: ctx.source.lineOf(path, key),
        path: formatPath([...path, key]),
        message: `unknown key ${JSON.stringify(key)}`,
        fix: `remove it or check spelling${guess ? ` (did you mean ${guess}?)` : ''}; known keys here are: ${known.join(', ')}`,
      };
    });
  }
  const value = valueAt(ctx.data, path);
  const { message, fix } = describeIssue(issue, value, path);
  return [{ file: ctx.file, line: ctx.source.lineOf(path), path: formatPath(path), value, message, fix }];
}

function describeIssue(issue: Issue, value: unknown, path: YamlPath): { message: string; fix?: string } {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) {
        return {
          message: 'missing required key',
          fix: `add ${String(path.at(-1))}: (${typeWords(issue.expected)})`,
        };
      }
      return {
        message: `expected ${typeWords(issue.expected)}, got ${kindOf(value)}`,
        fix: `write ${typeWords(issue.expected)}${typeExample(issue.expected)}`,
      };
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return {
        message: 'not one of the allowed values',
        fix: `${guess ? `did you mean ${guess}? ` : ''}use one of: ${allowed.join(', ')}`,
      };
    }
    case 'too_small':
    case 'too_big':
      return describeBound(issue);
    case 'invalid_format':
      if (issue.format === 'datetime') {
        return {
          message: 'not an ISO 8601 date-time with a time zone',
          fix: 'write it like 2025-07-01T00:00:00Z',
        };
      }
      return { message: `invalid ${issue.format}`, fix: issue.message };
    case 'custom': {
      // Cross-field rules in the schema (config/schema) put what to write in `params.fix`.
      const fix: unknown = issue.params?.fix;
      return typeof fix === 'string' ? { message: issue.message, fix } : { message: issue.message };
    }
    case 'not_multiple_of':
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
    case 'unrecognized_keys':
      return { message: issue.message };
  }
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): {
  message: string;
  fix: string;
} {
  const small = issue.code === 'too_small';
  const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
  const op = small ? (issue.inclusive === false ? '>' : '>=') : issue.inclusive === false ? '<' : '<=';
  if (issue.origin === 'array') {
    return small
      ? { message: `needs at least ${bound} item(s)`, fix: 'add an item or remove the key' }
      : { message: `has more than ${bound} item(s)`, fix: `keep at most ${bound}` };
  }
  if (issue.origin === 'string')
    return { message: 'must not be empty', fix: 'write a value or remove the key' };
  return { message: `must be ${op} ${bound}`, fix: `use a whole number ${op} ${bound}` };
}

const TYPE_WORDS: Record<string, [string, string]> = {
  string: ['a string', ''],
  number: ['a number', ''],
  int: ['a whole number', ''],
  boolean: ['true or false', ''],
  array: ['a list', ', e.g. [a, b] or one "- item" per line'],
  object: ['a mapping of keys', ', e.g. "key: value" lines indented under this one'],
  record: ['a mapping of keys', ', e.g. "key: value" lines indented under this one'],
};

function typeWords(expected: string): string {
  return TYPE_WORDS[expected]?.[0] ?? expected;
}

function typeExample(expected: string): string {
  return TYPE_WORDS[expected]?.[1] ?? '';
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

function defOf(s: Schema): Record<string, unknown> {
  return s._zod.def as unknown as Record<string, unknown>;
}

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && '_zod' in v;
}

/** Strip default/prefault/optional/nullable wrappers. */
function unwrap(s: Schema): Schema {
  let cur = s;
  for (let d = defOf(cur); isSchema(d.innerType); d = defOf(cur)) cur = d.innerType;
  return cur;
}

/** The keys the schema knows for the object at `path`. */
export function knownKeys(root: Schema, path: YamlPath): string[] {
  let cur = unwrap(root);
  for (const seg of path) {
    const d = defOf(cur);
    let next: unknown;
    if (d.type === 'object') next = (d.shape as Record<string, unknown>)[String(seg)];
    else if (d.type === 'array') next = d.element;
    else if (d.type === 'record') next = d.valueType;
    if (!isSchema(next)) return [];
    cur = unwrap(next);
  }
  const d = defOf(cur);
  return d.type === 'object' ? Object.keys(d.shape as Record<string, unknown>) : [];
}

/** The known key closest to a misspelt one (case-insensitive edit distance ≤ 2), if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
