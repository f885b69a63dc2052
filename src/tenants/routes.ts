import { createRoute } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import { auditOfKey, type AuditTrail } from '#audit';
import type { AuthContext } from '#http/auth';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { createApiKey, findInvitingKey, listApiKeys, revokeApiKey, setKeyInviteQuota } from './api-keys';
import { createTenant, getTenant, updateTenant } from './tenants';
import { z } from '@hono/zod-openapi';
import {
  ApiKeySchema,
  CreateApiKeySchema,
  CreatedApiKeySchema,
  CreateTenantSchema,
  IdentitySchema,
  IdParam,
  TenantSchema,
  UpdateApiKeySchema,
  updateTenantSchema,
  type PageUrlPolicy,
} from './schemas';

export interface TenantRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** Lets branding and redirect URLs be plain http (the deployment allows private addresses). */
  readonly allowPrivateNetwork: boolean;
  /** Where key and settings changes are recorded. */
  readonly audit: AuditTrail;
}

const tags = ['Tenant'];

const getTenantRoute = createRoute({
  operationId: 'getTenant',
  method: 'get',
  path: '/tenant',
  tags,
  ...requires('any'),
  summary: "The calling key's tenant and its settings",
  responses: { 200: json(TenantSchema, 'The tenant'), ...problemsFor(401) },
});

const updateTenantRoute = (policy: PageUrlPolicy) =>
  createRoute({
    operationId: 'updateTenant',
    method: 'patch',
    path: '/tenant',
    tags,
    ...requires('settings:manage'),
    summary: 'Rename the tenant or change its settings',
    request: { body: { content: { 'application/json': { schema: updateTenantSchema(policy) } }, required: true } },
    responses: { 200: json(TenantSchema, 'The updated tenant'), ...problemsFor(400, 401) },
  });

const createTenantRoute = createRoute({
  operationId: 'createTenant',
  method: 'post',
  path: '/tenants',
  tags,
  ...requires('tenants:manage'),
  summary: 'Create a tenant (operator keys only)',
  description: 'Makes the tenant, its default identity and an admin key, which this response shows once.',
  request: { body: { content: { 'application/json': { schema: CreateTenantSchema } }, required: true } },
  responses: {
    201: json(
      z.object({ tenant: TenantSchema, identity: IdentitySchema, apiKey: CreatedApiKeySchema }),
      'The new tenant',
    ),
    ...problemsFor(400, 401, 403),
  },
});

const listKeysRoute = createRoute({
  operationId: 'listApiKeys',
  method: 'get',
  path: '/api-keys',
  tags,
  ...requires('keys:manage'),
  summary: "List the tenant's API keys (never their secrets)",
  responses: { 200: json(z.object({ data: z.array(ApiKeySchema) }), 'Keys, newest first'), ...problemsFor(401) },
});

const createKeyRoute = createRoute({
  operationId: 'createApiKey',
  method: 'post',
  path: '/api-keys',
  tags,
  ...requires('keys:manage'),
  summary: 'Create a named API key; the secret is shown once',
  description: 'A key never has more than the key that makes it: wider scopes, roles or targets are refused (403).',
  request: { body: { content: { 'application/json': { schema: CreateApiKeySchema } }, required: true } },
  responses: { 201: json(CreatedApiKeySchema, 'The key, with its secret'), ...problemsFor(400, 401, 403) },
});

const updateKeyRoute = createRoute({
  operationId: 'updateApiKey',
  method: 'patch',
  path: '/api-keys/{id}',
  tags,
  ...requires('keys:manage'),
  summary: "Set an API key's own invitation quota",
  description: 'A key cannot change its own quota (403): a limited key must not lift its limit.',
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateApiKeySchema } }, required: true },
  },
  responses: { 200: json(ApiKeySchema, 'The key'), ...problemsFor(400, 401, 403, 404) },
});

const revokeKeyRoute = createRoute({
  operationId: 'revokeApiKey',
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  ...requires('keys:manage'),
  summary: 'Revoke an API key',
  request: { params: IdParam },
  responses: { 200: json(ApiKeySchema, 'The revoked key'), ...problemsFor(401, 404, 409) },
});

/** Tenant, tenant creation and API key routes. */
export function createTenantRoutes({ db, clock, allowPrivateNetwork, audit }: TenantRoutesDeps) {
  const auditOf = (auth: AuthContext) => auditOfKey(audit, auth);
  return createRouter()
    .openapi(getTenantRoute, async (c) => c.json(await getTenant(db, c.var.auth.tenantId), 200))
    .openapi(updateTenantRoute({ allowHttp: allowPrivateNetwork }), async (c) =>
      c.json(await updateTenant(db, c.var.auth.tenantId, c.req.valid('json'), clock.now(), auditOf(c.var.auth)), 200),
    )
    .openapi(createTenantRoute, async (c) => c.json(await createTenant(db, c.req.valid('json'), clock.now()), 201))
    .openapi(listKeysRoute, async (c) => c.json({ data: await listApiKeys(db, c.var.auth.tenantId) }, 200))
    .openapi(createKeyRoute, async (c) => {
      const { name, inviteQuota, ...rights } = c.req.valid('json');
      const { tenantId, apiKeyId, rights: maker } = c.var.auth;
      const makerQuota = (await findInvitingKey(db, tenantId, apiKeyId))?.inviteQuota ?? null;
      const input = { tenantId, name, rights, maker, inviteQuota, makerQuota, audit: auditOf(c.var.auth) };
      return c.json(await createApiKey(db, input, clock.now()), 201);
    })
    .openapi(updateKeyRoute, async (c) =>
      c.json(
        await setKeyInviteQuota(
          db,
          c.var.auth,
          c.req.valid('param').id,
          c.req.valid('json').inviteQuota,
          auditOf(c.var.auth),
        ),
        200,
      ),
    )
    .openapi(revokeKeyRoute, async (c) =>
      c.json(await revokeApiKey(db, c.var.auth, c.req.valid('param').id, clock.now(), auditOf(c.var.auth)), 200),
    );
}
