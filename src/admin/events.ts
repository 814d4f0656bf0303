/**
 * @module admin/events
 * The live tail as server-sent events (`GET /events?client=&host=&decision=`): one `decision` event
 * per record as it happens, a `dropped` event when this browser fell behind. Ends when the browser
 * goes away or the admin listener closes.
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { AdminEnv } from './auth.js';
import type { AdminContext } from './context.js';
import { parseWith } from './input.js';

const filterQuery = z
  .object({
    client: z.string().max(100).optional(),
    host: z.string().max(300).optional(),
    decision: z.enum(['allow', 'deny']).optional(),
  })
  .strict();

const nonEmpty = (v: string | undefined): string | undefined =>
  v === undefined || v.trim() === '' ? undefined : v.trim();

export function liveEvents(c: Context<AdminEnv>, ctx: AdminContext): Response {
  const q = parseWith(filterQuery, c.req.query());
  const filter = { client: nonEmpty(q.client), host: nonEmpty(q.host)?.toLowerCase(), decision: q.decision };
  return streamSSE(c, async (stream) => {
    const sub = ctx.live.subscribe(filter);
    stream.onAbort(() => sub.close());
    await stream.writeSSE({ event: 'ready', data: JSON.stringify(filter) });
    while (!sub.closed && !stream.aborted) {
      const { records, dropped } = await sub.next();
      for (const r of records)
        await stream.writeSSE({ event: 'decision', id: r.id, data: JSON.stringify(r) });
      if (dropped > 0) await stream.writeSSE({ event: 'dropped', data: String(dropped) });
    }
    sub.close();
  });
}
