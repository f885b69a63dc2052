import { auditOfKey } from '#audit';
import type { AuthContext } from '#http/auth';
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { createIdentity, getIdentity, listIdentities, updateIdentity } from './identities';
import type { TenantRoutesDeps } from './routes';
import { CreateIdentitySchema, IdentitySchema, IdParam, UpdateIdentitySchema } from './schemas';

const tags = ['Identities'];

const listRoute = createRoute({
  operationId: 'listIdentities',
  method: 'get',
  path: '/identities',
  tags,
  ...requires('identities:manage'),
  summary: 'List identities, the default first',
  responses: { 200: json(z.object({ data: z.array(IdentitySchema) }), 'Identities'), ...problemsFor(401) },
});

const getRoute = createRoute({
  operationId: 'getIdentity',
  method: 'get',
  path: '/identities/{id}',
  tags,
  ...requires('identities:manage'),
  summary: 'Get an identity',
  request: { params: IdParam },
  responses: { 200: json(IdentitySchema, 'The identity'), ...problemsFor(401, 404) },
});

const createIdentityRoute = createRoute({
  operationId: 'createIdentity',
  method: 'post',
  path: '/identities',
  tags,
  ...requires('identities:manage'),
  summary: 'Create an identity with a fresh Ed25519 did:key',
  request: { body: { content: { 'application/json': { schema: CreateIdentitySchema } }, required: true } },
  responses: { 201: json(IdentitySchema, 'The identity'), ...problemsFor(400, 401, 409) },
});

const updateRoute = createRoute({
  operationId: 'updateIdentity',
  method: 'patch',
  path: '/identities/{id}',
  tags,
  ...requires('identities:manage'),
  summary: 'Rename an identity or change its status',
  description: 'A disabled identity cannot send invitations. The default identity cannot be disabled.',
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateIdentitySchema } }, required: true },
  },
  responses: { 200: json(IdentitySchema, 'The identity'), ...problemsFor(400, 401, 404, 409) },
});

/** Identity routes. */
export function createIdentityRoutes({ db, clock, audit }: Pick<TenantRoutesDeps, 'db' | 'clock' | 'audit'>) {
  const auditOf = (auth: AuthContext) => auditOfKey(audit, auth);
  return createRouter()
    .openapi(listRoute, async (c) => c.json({ data: await listIdentities(db, c.var.auth.tenantId) }, 200))
    .openapi(getRoute, async (c) => c.json(await getIdentity(db, c.var.auth.tenantId, c.req.valid('param').id), 200))
    .openapi(createIdentityRoute, async (c) =>
      c.json(
        await createIdentity(
          db,
          { tenantId: c.var.auth.tenantId, ...c.req.valid('json') },
          clock.now(),
          auditOf(c.var.auth),
        ),
        201,
      ),
    )
    .openapi(updateRoute, async (c) =>
      c.json(
        await updateIdentity(
          db,
          c.var.auth.tenantId,
          c.req.valid('param').id,
          c.req.valid('json'),
          clock.now(),
          auditOf(c.var.auth),
        ),
        200,
      ),
    );
}
