/**
 * @module admin/input
 * Request input for the admin API, validated once with zod: JSON bodies (strict: unknown keys are
 * errors), query strings and path ids. Every failure is a `CORDON_ADMIN_BAD_INPUT` (400) whose
 * message names the field and what is wrong.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import { badInput } from './errors.js';

const reason = z.string().trim().min(1, 'say why (it goes in the audit trail)').max(500);
const hash = z.string().regex(/^[0-9a-f]{8,64}$/, 'a hash from GET /api/v1/policy');
const scope = z.enum(['host', 'domain']);
const group = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'a group name');
const ids = z.array(z.number().int().positive()).min(1).max(500);

export const approveBody = z
  .object({ scope, group: group.optional(), reason, policyHash: hash.optional() })
  .strict();
export const rejectBody = z.object({ reason }).strict();
export const bulkBody = z
  .object({
    action: z.enum(['approve', 'reject']),
    ids,
    scope: scope.optional(),
    group: group.optional(),
    reason,
    policyHash: hash.optional(),
  })
  .strict()
  .refine((b) => b.action === 'reject' || b.scope !== undefined, {
    message: 'approve needs a scope',
    path: ['scope'],
  });
export const revertBody = z.object({ reason: reason.optional(), policyHash: hash.optional() }).strict();
export const applyBody = z
  .object({
    group,
    entries: z
      .array(z.object({ scheme: z.enum(['http', 'https']), entry: z.string().min(1).max(300) }).strict())
      .min(1)
      .max(500),
    reason,
    policyHash: hash.optional(),
  })
  .strict();

const time = z.union([
  z
    .string()
    .regex(/^\d{10,14}$/)
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const decisionsQuery = z
  .object({
    client: z.string().max(100).optional(),
    host: z.string().max(300).optional(),
    decision: z.enum(['allow', 'deny']).optional(),
    group: z.string().max(100).optional(),
    reason: z.string().max(100).optional(),
    since: time.optional(),
    until: time.optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.coerce.number().int().positive().optional(),
  })
  .strict();

export const reviewQuery = z
  .object({
    status: z.enum(['pending', 'approved', 'rejected', 'all']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const pageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.coerce.number().int().positive().optional(),
  })
  .strict();

function explain(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; ');
}

/** Parse `value` with `schema`, or throw a 400 naming every problem. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw badInput(explain(r.error));
  return r.data;
}

/** The JSON body; an empty body is `{}`. */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('application/json'))
    throw badInput('send the body as JSON (Content-Type: application/json)');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badInput('the body is not valid JSON');
  }
}

/** A positive integer path parameter. */
export function idParam(c: Context, name: string): number {
  const v = c.req.param(name) ?? '';
  if (!/^\d{1,15}$/.test(v) || Number(v) === 0)
    throw badInput(`${name}: must be a positive integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** The policy hash the client read: body `policyHash`, else `If-Match`. */
export function expectedHash(c: Context, fromBody: string | undefined): string | undefined {
  if (fromBody !== undefined) return fromBody;
  const h = c.req.header('if-match');
  if (h === undefined) return undefined;
  return parseWith(
    z.string().regex(/^[0-9a-f]{8,64}$/, 'If-Match: a hash from GET /api/v1/policy'),
    h.replace(/^W\//, '').replace(/"/g, '').trim(),
  );
}
