import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { apiKeyActor } from '#invitations';
import type { CompatDeps } from '../deps';
import { createInviteOperations } from './invites';
import publishedSwagger from './invitesv1.swagger.json' with { type: 'json' };
import {
  CapsSchema,
  CreateInviteSchema,
  InviteSchema,
  ListInvitesQuerySchema,
  ListInvitesResponseSchema,
  UuidParam,
} from './schemas';

/** The swagger's base path, which /openapi.json documents. */
const DATATRAILS_BASE = '/archivist/v1';
/** The path the DataTrails docs' curl examples use; the same routes, left out of /openapi.json. */
const DATATRAILS_IAM_BASE = '/archivist/iam/v1';

const tags = ['DataTrails compatibility'];

/** The route table under one base; `hide` keeps the alias out of the OpenAPI document (operationIds stay unique). */
function inviteRoutes(hide: boolean) {
  const base = { tags, hide };
  return {
    create: createRoute({
      ...base,
      operationId: 'dataTrailsCreateInvite',
      ...requires('invitations:write'),
      method: 'post',
      path: '/invites',
      summary: 'Create an invite (DataTrails Invites_CreateInvite)',
      description: 'An email invitation into the tenant with no role; the email goes out through the outbox.',
      request: { body: { content: { 'application/json': { schema: CreateInviteSchema } }, required: true } },
      responses: { 200: json(InviteSchema, 'The invite'), ...problemsFor(400, 401, 409) },
    }),
    list: createRoute({
      ...base,
      operationId: 'dataTrailsListInvites',
      ...requires('invitations:read'),
      method: 'get',
      path: '/invites',
      summary: 'List pending invites (DataTrails Invites_ListInvites)',
      request: { query: ListInvitesQuerySchema },
      responses: { 200: json(ListInvitesResponseSchema, 'A page of pending invites'), ...problemsFor(400, 401) },
    }),
    caps: createRoute({
      ...base,
      operationId: 'dataTrailsGetInviteCaps',
      ...requires('invitations:read'),
      method: 'get',
      path: '/invites:caps',
      summary: 'Capped resources for invites (DataTrails Invites_GetCaps)',
      description:
        'Always an empty list: Usher puts no quota on invitations (the per-minute rate limit is not a capped resource).',
      responses: { 200: json(CapsSchema, 'No capped resources'), ...problemsFor(401) },
    }),
    openapi: createRoute({
      ...base,
      operationId: 'dataTrailsGetInvitesOpenApi',
      ...requires('invitations:read'),
      method: 'get',
      path: '/invites:openapi',
      summary: 'The Invites API swagger (DataTrails Invites_GetOpenAPI)',
      description:
        'The OpenAPI v2.0 document DataTrails publishes for this API, as published, which this surface follows.',
      responses: { 200: json(z.record(z.string(), z.unknown()), 'The swagger document'), ...problemsFor(401) },
    }),
    get: createRoute({
      ...base,
      operationId: 'dataTrailsGetInvite',
      ...requires('invitations:read'),
      method: 'get',
      path: '/invites/{uuid}',
      summary: 'Get a pending invite (DataTrails Invites_GetInvite)',
      request: { params: UuidParam },
      responses: { 200: json(InviteSchema, 'The invite'), ...problemsFor(401, 404) },
    }),
    remove: createRoute({
      ...base,
      operationId: 'dataTrailsDeleteInvite',
      ...requires('invitations:write'),
      method: 'delete',
      path: '/invites/{uuid}',
      summary: 'Delete a pending invite (DataTrails Invites_DeleteInvite)',
      description: 'Revokes the invitation: its link stops working. The native API still shows it, as revoked.',
      request: { params: UuidParam },
      responses: { 200: json(z.object({}), 'Empty'), ...problemsFor(401, 404, 409) },
    }),
  };
}

function inviteRouter(deps: CompatDeps, hide: boolean) {
  const routes = inviteRoutes(hide);
  const invites = createInviteOperations(deps);
  return createRouter()
    .openapi(routes.create, async (c) =>
      c.json(
        await invites.create(c.var.auth.tenantId, c.req.valid('json'), apiKeyActor(c.var.auth, 'datatrails')),
        200,
      ),
    )
    .openapi(routes.list, async (c) => c.json(await invites.list(c.var.auth.tenantId, c.req.valid('query')), 200))
    .openapi(routes.caps, (c) => c.json({ caps: [] }, 200))
    .openapi(routes.openapi, (c) => c.json(publishedSwagger, 200))
    .openapi(routes.get, async (c) => c.json(await invites.get(c.var.auth.tenantId, c.req.valid('param').uuid), 200))
    .openapi(routes.remove, async (c) => {
      await invites.remove(c.var.auth.tenantId, c.req.valid('param').uuid, apiKeyActor(c.var.auth, 'datatrails'));
      return c.json({}, 200);
    });
}

/**
 * The DataTrails Invites API v1 at the swagger's path and at the docs' /iam/ path; app.ts puts both behind API-key
 * auth.
 */
export function createDataTrailsRoutes(deps: CompatDeps) {
  return createRouter()
    .route(DATATRAILS_BASE, inviteRouter(deps, false))
    .route(DATATRAILS_IAM_BASE, inviteRouter(deps, true));
}
