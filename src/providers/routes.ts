import { createRoute } from '@hono/zod-openapi';
import { auditOfKey, type AuditTrail } from '#audit';
import type { AuthContext } from '#http/auth';
import { createRouter } from '#http/router';
import { json, ProblemSchema, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import {
  AccountIdParam,
  CreateProviderAccountSchema,
  ProviderAccountListSchema,
  ProviderAccountSchema,
  ProviderSentListSchema,
  ProviderUserSchema,
  SentQuerySchema,
  UserParams,
} from './schemas';
import type { ProviderAccountService } from './service';

const base = { tags: ['Provider accounts'] };
const bad = {
  502: {
    description: 'The provider failed; providerStatus and providerType say how.',
    content: { 'application/problem+json': { schema: ProblemSchema } },
  },
};

const createAccountRoute = createRoute({
  ...base,
  operationId: 'createProviderAccount',
  ...requires('identities:manage'),
  method: 'post',
  path: '/provider-accounts',
  summary: 'Connect a provider account (a Unipile-compatible API); its API key is never shown again',
  request: { body: { content: { 'application/json': { schema: CreateProviderAccountSchema } }, required: true } },
  responses: { 201: json(ProviderAccountSchema, 'The account, its limits and quota'), ...problemsFor(400, 401, 422) },
});

const listRoute = createRoute({
  ...base,
  operationId: 'listProviderAccounts',
  ...requires('identities:manage'),
  method: 'get',
  path: '/provider-accounts',
  summary: 'List provider accounts with their remaining quota and next slot',
  responses: { 200: json(ProviderAccountListSchema, 'The accounts'), ...problemsFor(401) },
});

const getRoute = createRoute({
  ...base,
  operationId: 'getProviderAccount',
  ...requires('identities:manage'),
  method: 'get',
  path: '/provider-accounts/{id}',
  summary: 'Get a provider account with its remaining quota and next slot',
  request: { params: AccountIdParam },
  responses: { 200: json(ProviderAccountSchema, 'The account'), ...problemsFor(401, 404) },
});

const deleteRoute = createRoute({
  ...base,
  operationId: 'deleteProviderAccount',
  ...requires('identities:manage'),
  method: 'delete',
  path: '/provider-accounts/{id}',
  summary: 'Delete a provider account; invitations still waiting for it are skipped',
  request: { params: AccountIdParam },
  responses: { 204: { description: 'Deleted' }, ...problemsFor(401, 404) },
});

const resolveRoute = createRoute({
  ...base,
  operationId: 'resolveProviderUser',
  ...requires('invitations:read'),
  method: 'get',
  path: '/provider-accounts/{id}/users/{identifier}',
  summary: 'Ask the provider who a public identifier is; its providerId is what invitations go to',
  request: { params: UserParams },
  responses: { 200: json(ProviderUserSchema, 'The user'), ...problemsFor(401, 404, 422), ...bad },
});

const sentRoute = createRoute({
  ...base,
  operationId: 'listProviderInvitationsSent',
  ...requires('invitations:read'),
  method: 'get',
  path: '/provider-accounts/{id}/sent',
  summary: "The provider's own list of invitations this account sent that are still pending",
  request: { params: AccountIdParam, query: SentQuerySchema },
  responses: { 200: json(ProviderSentListSchema, 'The invitations'), ...problemsFor(400, 401, 404, 422), ...bad },
});

/** Provider accounts under the caller's tenant; mount under /v1. Connecting and disconnecting go on the trail. */
export function createProviderAccountRoutes(accounts: ProviderAccountService, audit: AuditTrail) {
  const auditOf = (auth: AuthContext) => auditOfKey(audit, auth);
  return createRouter()
    .openapi(createAccountRoute, async (c) =>
      c.json(await accounts.create(c.var.auth.tenantId, c.req.valid('json'), auditOf(c.var.auth)), 201),
    )
    .openapi(listRoute, async (c) => c.json({ data: await accounts.list(c.var.auth.tenantId) }, 200))
    .openapi(getRoute, async (c) => c.json(await accounts.get(c.var.auth.tenantId, c.req.valid('param').id), 200))
    .openapi(deleteRoute, async (c) => {
      await accounts.delete(c.var.auth.tenantId, c.req.valid('param').id, auditOf(c.var.auth));
      return c.body(null, 204);
    })
    .openapi(resolveRoute, async (c) => {
      const { id, identifier } = c.req.valid('param');
      return c.json(await accounts.resolveUser(c.var.auth.tenantId, id, identifier), 200);
    })
    .openapi(sentRoute, async (c) =>
      c.json(await accounts.listSent(c.var.auth.tenantId, c.req.valid('param').id, c.req.valid('query')), 200),
    );
}
