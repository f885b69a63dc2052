import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import type { Db } from '#db';
import { createRouter } from '#http/router';
import { decodeCursor } from '#http/pagination';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { allAuditEvents, listAuditEvents, type AuditFilter } from './queries';
import { AuditEventSchema, AuditFilterSchema, AuditQuerySchema } from './schemas';

const tags = ['Audit'];

const listRoute = createRoute({
  operationId: 'listAuditEvents',
  method: 'get',
  path: '/audit-events',
  tags,
  ...requires('settings:manage'),
  summary: "The tenant's audit trail, newest first",
  request: { query: AuditQuerySchema },
  responses: {
    200: json(z.object({ data: z.array(AuditEventSchema), nextCursor: z.string().nullable() }), 'A page'),
    ...problemsFor(400, 401),
  },
});

const exportRoute = createRoute({
  operationId: 'exportAuditEvents',
  method: 'get',
  path: '/audit-events/export',
  tags,
  ...requires('settings:manage'),
  summary: 'Every matching entry as JSON Lines, streamed, newest first',
  request: { query: AuditFilterSchema },
  responses: {
    200: {
      description: 'One AuditEvent a line',
      content: { 'application/jsonl': { schema: z.string() } },
    },
    ...problemsFor(400, 401),
  },
});

const filterOf = (query: z.infer<typeof AuditFilterSchema>): AuditFilter => ({
  ...(query.action ? { action: query.action } : {}),
  ...(query.actor ? { actorKeyId: query.actor } : {}),
  ...(query.since ? { since: query.since } : {}),
  ...(query.until ? { until: query.until } : {}),
});

/** The audit trail's routes: a page of it, and all of it as JSON Lines. */
export function createAuditRoutes({ db }: { readonly db: Db }) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      const page = await listAuditEvents(db, c.var.auth.tenantId, {
        ...filterOf(filter),
        limit: limit ?? 50,
        cursor: cursor ? decodeCursor(cursor) : null,
      });
      return c.json(page, 200);
    })
    .openapi(exportRoute, (c) => {
      const { tenantId } = c.var.auth;
      const filter = filterOf(c.req.valid('query'));
      c.header('content-type', 'application/jsonl; charset=utf-8');
      c.header('content-disposition', 'attachment; filename="audit-events.jsonl"');
      return stream(c, async (out) => {
        for await (const event of allAuditEvents(db, tenantId, filter)) await out.write(`${JSON.stringify(event)}\n`);
      }) as never;
    });
}
