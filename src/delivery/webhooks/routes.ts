import { auditOfKey, type AuditTrail } from '#audit';
import type { AuthContext } from '#http/auth';
import { createRoute } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
} from './endpoints';
import {
  CreateWebhookEndpointSchema,
  UpdateWebhookEndpointSchema,
  WebhookEndpointListSchema,
  WebhookEndpointSchema,
  WebhookEndpointWithSecretSchema,
  WebhookIdParam,
} from './schemas';

/** What the webhook routes need. */
export interface WebhookRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** Where endpoint changes are recorded. */
  readonly audit: AuditTrail;
}

const base = { tags: ['Webhooks'] };

const createEndpointRoute = createRoute({
  ...base,
  operationId: 'createWebhookEndpoint',
  ...requires('webhooks:manage'),
  method: 'post',
  path: '/webhooks',
  summary: 'Register a webhook endpoint; the response holds its signing secret, once',
  request: { body: { content: { 'application/json': { schema: CreateWebhookEndpointSchema } }, required: true } },
  responses: { 201: json(WebhookEndpointWithSecretSchema, 'The endpoint and its secret'), ...problemsFor(400, 401) },
});

const listRoute = createRoute({
  ...base,
  operationId: 'listWebhookEndpoints',
  ...requires('webhooks:manage'),
  method: 'get',
  path: '/webhooks',
  summary: 'List webhook endpoints, oldest first',
  responses: { 200: json(WebhookEndpointListSchema, 'The endpoints'), ...problemsFor(401) },
});

const getRoute = createRoute({
  ...base,
  operationId: 'getWebhookEndpoint',
  ...requires('webhooks:manage'),
  method: 'get',
  path: '/webhooks/{id}',
  summary: 'Get a webhook endpoint',
  request: { params: WebhookIdParam },
  responses: { 200: json(WebhookEndpointSchema, 'The endpoint'), ...problemsFor(401, 404) },
});

const updateRoute = createRoute({
  ...base,
  operationId: 'updateWebhookEndpoint',
  ...requires('webhooks:manage'),
  method: 'patch',
  path: '/webhooks/{id}',
  summary: 'Change a webhook endpoint, or re-enable a disabled one',
  request: {
    params: WebhookIdParam,
    body: { content: { 'application/json': { schema: UpdateWebhookEndpointSchema } }, required: true },
  },
  responses: { 200: json(WebhookEndpointSchema, 'The endpoint'), ...problemsFor(400, 401, 404) },
});

const deleteRoute = createRoute({
  ...base,
  operationId: 'deleteWebhookEndpoint',
  ...requires('webhooks:manage'),
  method: 'delete',
  path: '/webhooks/{id}',
  summary: 'Delete a webhook endpoint; deliveries still queued for it are skipped',
  request: { params: WebhookIdParam },
  responses: { 204: { description: 'Deleted' }, ...problemsFor(401, 404) },
});

const rotateRoute = createRoute({
  ...base,
  operationId: 'rotateWebhookSecret',
  ...requires('webhooks:manage'),
  method: 'post',
  path: '/webhooks/{id}/rotate-secret',
  summary: 'Replace the signing secret; the old one stops working at once',
  request: { params: WebhookIdParam },
  responses: {
    200: json(WebhookEndpointWithSecretSchema, 'The endpoint and its new secret'),
    ...problemsFor(401, 404),
  },
});

/** Webhook endpoint management under the caller's tenant; mount under /v1. */
export function createWebhookRoutes({ db, clock, audit }: WebhookRoutesDeps) {
  const auditOf = (auth: AuthContext) => auditOfKey(audit, auth);
  return createRouter()
    .openapi(createEndpointRoute, async (c) =>
      c.json(await createEndpoint(db, c.var.auth.tenantId, c.req.valid('json'), clock.now(), auditOf(c.var.auth)), 201),
    )
    .openapi(listRoute, async (c) => c.json({ data: await listEndpoints(db, c.var.auth.tenantId) }, 200))
    .openapi(getRoute, async (c) => c.json(await getEndpoint(db, c.var.auth.tenantId, c.req.valid('param').id), 200))
    .openapi(updateRoute, async (c) =>
      c.json(
        await updateEndpoint(
          db,
          c.var.auth.tenantId,
          c.req.valid('param').id,
          c.req.valid('json'),
          clock.now(),
          auditOf(c.var.auth),
        ),
        200,
      ),
    )
    .openapi(deleteRoute, async (c) => {
      await deleteEndpoint(db, c.var.auth.tenantId, c.req.valid('param').id, auditOf(c.var.auth));
      return c.body(null, 204);
    })
    .openapi(rotateRoute, async (c) =>
      c.json(
        await rotateEndpointSecret(db, c.var.auth.tenantId, c.req.valid('param').id, clock.now(), auditOf(c.var.auth)),
        200,
      ),
    );
}
