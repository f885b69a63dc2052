import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { apiKeyActor } from '#invitations';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import type { DidcommService } from './service';
import {
  ConnectionIdParam,
  MediatorListSchema,
  MediatorSchema,
  PickupResultSchema,
  RequestMediationSchema,
} from './schemas';

const tags = ['DIDComm'];

const createMediatorRoute = createRoute({
  operationId: 'requestMediation',
  method: 'post',
  path: '/didcomm/mediators',
  tags,
  ...requires('settings:manage'),
  summary: 'Connect to a mediator and ask it to route for this tenant',
  description:
    "Accepts the mediator's invitation URL over a direct connection and, once it completes, sends an RFC 0211 mediate-request. After the grant, new didcomm invitations and connection DIDs carry the mediator's endpoint and routing keys, and each new key is registered with keylist-update before anything sent from it leaves.",
  request: { body: { content: { 'application/json': { schema: RequestMediationSchema } }, required: true } },
  responses: { 201: json(MediatorSchema, 'The mediator, connecting'), ...problemsFor(400, 401, 404, 409, 422) },
});

const listMediatorsRoute = createRoute({
  operationId: 'listMediators',
  method: 'get',
  path: '/didcomm/mediators',
  tags,
  ...requires('settings:manage'),
  summary: 'List the mediators this tenant is a recipient of, newest first',
  responses: { 200: json(MediatorListSchema, 'The mediators'), ...problemsFor(401) },
});

const getMediatorRoute = createRoute({
  operationId: 'getMediator',
  method: 'get',
  path: '/didcomm/mediators/{id}',
  tags,
  ...requires('settings:manage'),
  summary: 'Get a mediator',
  request: { params: ConnectionIdParam },
  responses: { 200: json(MediatorSchema, 'The mediator'), ...problemsFor(401, 404) },
});

const pickupRoute = createRoute({
  operationId: 'pickUpFromMediator',
  method: 'post',
  path: '/didcomm/mediators/{id}/pickup',
  tags,
  ...requires('settings:manage'),
  summary: 'Pick up and process what the mediator holds for this tenant (RFC 0685 Pickup 2.0)',
  request: { params: ConnectionIdParam },
  responses: { 200: json(PickupResultSchema, 'What was picked up'), ...problemsFor(401, 404, 409) },
});

/** The tenant's mediators (RFC 0211, Usher as the recipient) and pickup from them. */
export function createMediatorRoutes({ didcomm }: { didcomm: DidcommService }) {
  return createRouter()
    .openapi(createMediatorRoute, async (c) =>
      c.json(
        await didcomm.startMediation(c.var.auth.tenantId, c.req.valid('json'), apiKeyActor(c.var.auth.apiKeyId)),
        201,
      ),
    )
    .openapi(listMediatorsRoute, async (c) => c.json({ data: await didcomm.listMediators(c.var.auth.tenantId) }, 200))
    .openapi(getMediatorRoute, async (c) =>
      c.json(await didcomm.getMediator(c.var.auth.tenantId, c.req.valid('param').id), 200),
    )
    .openapi(pickupRoute, async (c) => c.json(await didcomm.pickUp(c.var.auth.tenantId, c.req.valid('param').id), 200));
}
