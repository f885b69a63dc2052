import { createRoute, z } from '@hono/zod-openapi';
import type { Db } from '#db';
import { createRouter } from '#http/router';
import { decodeCursor } from '#http/pagination';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { getMembership, listMemberships } from './memberships';
import { MembershipQuerySchema, MembershipSchema } from './schemas';

const tags = ['Memberships'];

const listRoute = createRoute({
  operationId: 'listMemberships',
  method: 'get',
  path: '/memberships',
  tags,
  ...requires('invitations:read'),
  summary: 'List memberships, of the tenant or of one target',
  request: { query: MembershipQuerySchema },
  responses: {
    200: json(z.object({ data: z.array(MembershipSchema), nextCursor: z.string().nullable() }), 'A page'),
    ...problemsFor(400, 401),
  },
});

const getRoute = createRoute({
  operationId: 'getMembership',
  method: 'get',
  path: '/memberships/{id}',
  tags,
  ...requires('invitations:read'),
  summary: 'Get a membership',
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: { 200: json(MembershipSchema, 'The membership'), ...problemsFor(401, 404) },
});

/** Membership routes. */
export function createMembershipRoutes({ db }: { db: Db }) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const { target, limit, cursor } = c.req.valid('query');
      const page = await listMemberships(db, c.var.auth.tenantId, {
        ...(target ? { target } : {}),
        limit: limit ?? 50,
        cursor: cursor ? decodeCursor(cursor) : null,
      });
      return c.json(page, 200);
    })
    .openapi(getRoute, async (c) => c.json(await getMembership(db, c.var.auth.tenantId, c.req.valid('param').id), 200));
}
