import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { decodeCursor } from '#http/pagination';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { apiKeyActor } from './events';
import type { InvitationService } from './service';
import { IdParam } from './schemas';
import {
  DeclineJoinRequestSchema,
  JoinRequestPageSchema,
  JoinRequestQuerySchema,
  JoinRequestSchema,
} from './join-request-schemas';

const base = { tags: ['Join requests'] };

const listRoute = createRoute({
  ...base,
  operationId: 'listJoinRequests',
  ...requires('invitations:read'),
  method: 'get',
  path: '/join-requests',
  summary: 'Join requests of links that require approval, newest first',
  request: { query: JoinRequestQuerySchema },
  responses: { 200: json(JoinRequestPageSchema, 'A page of join requests'), ...problemsFor(400, 401) },
});

const getRoute = createRoute({
  ...base,
  operationId: 'getJoinRequest',
  ...requires('invitations:read'),
  method: 'get',
  path: '/join-requests/{id}',
  summary: 'Get a join request',
  request: { params: IdParam },
  responses: { 200: json(JoinRequestSchema, 'The join request'), ...problemsFor(401, 404) },
});

const approveRoute = createRoute({
  ...base,
  operationId: 'approveJoinRequest',
  ...requires('invitations:write'),
  method: 'post',
  path: '/join-requests/{id}/approve',
  summary: 'Approve: grants the membership as accepting would, and tells the requester',
  description:
    "Consumes a use of the invitation now. A link spent, expired or revoked since the request answers as accepting would (410) and the request stays pending; a decided request is 409 join_request_decided. The role must be within the approving key's grantable roles (403).",
  request: { params: IdParam },
  responses: { 200: json(JoinRequestSchema, 'Approved'), ...problemsFor(401, 403, 404, 409, 410) },
});

const declineRoute = createRoute({
  ...base,
  operationId: 'declineJoinRequest',
  ...requires('invitations:write'),
  method: 'post',
  path: '/join-requests/{id}/decline',
  summary: 'Decline: no seat is taken, and the requester is told',
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: DeclineJoinRequestSchema } }, required: false },
  },
  responses: { 200: json(JoinRequestSchema, 'Declined'), ...problemsFor(400, 401, 404, 409) },
});

/** The tenant-authenticated join request routes: list, read, approve, decline. */
export function createJoinRequestRoutes({ invitations }: { readonly invitations: InvitationService }) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const { limit, cursor, status, invitationId } = c.req.valid('query');
      const filter = {
        ...(status ? { status } : {}),
        ...(invitationId ? { invitationId } : {}),
        limit: limit ?? 50,
        cursor: cursor ? decodeCursor(cursor) : null,
      };
      return c.json(await invitations.listJoinRequests(c.var.auth.tenantId, filter), 200);
    })
    .openapi(getRoute, async (c) =>
      c.json(await invitations.getJoinRequest(c.var.auth.tenantId, c.req.valid('param').id), 200),
    )
    .openapi(approveRoute, async (c) => {
      const { tenantId } = c.var.auth;
      return c.json(
        await invitations.approveJoinRequest(tenantId, c.req.valid('param').id, apiKeyActor(c.var.auth)),
        200,
      );
    })
    .openapi(declineRoute, async (c) => {
      const reason = c.req.valid('json')?.reason ?? null;
      const actor = apiKeyActor(c.var.auth);
      return c.json(
        await invitations.declineJoinRequest(c.var.auth.tenantId, c.req.valid('param').id, reason, actor),
        200,
      );
    });
}
