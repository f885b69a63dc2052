import { createRoute, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import { createRouter } from '#http/router';
import { decodeCursor } from '#http/pagination';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { getInvitationRow } from '#invitations';
import { getDelivery, listDeliveries, retryDelivery, deliverySummary } from './deliveries';
import { listMailbox } from './email/mailbox-mailer';
import { getEndpoint } from './webhooks/index';
import type { WebhookPinger } from './webhooks/ping';
import { DeliverySchema, IdParam, InvitationDeliveriesSchema, MailboxMessageSchema } from './schemas';

const base = {} as const;

const invitationDeliveriesRoute = createRoute({
  ...base,
  tags: ['Invitations'],
  operationId: 'listInvitationDeliveries',
  ...requires('invitations:read'),
  method: 'get',
  path: '/invitations/{id}/deliveries',
  summary: "Where the invitation's messages stand, per channel, with every attempt",
  request: { params: IdParam },
  responses: { 200: json(InvitationDeliveriesSchema, 'Deliveries, newest first'), ...problemsFor(401, 404) },
});

const getDeliveryRoute = createRoute({
  ...base,
  tags: ['Deliveries'],
  operationId: 'getDelivery',
  ...requires('invitations:read'),
  method: 'get',
  path: '/deliveries/{id}',
  summary: 'One delivery and its attempts',
  request: { params: IdParam },
  responses: { 200: json(DeliverySchema, 'The delivery'), ...problemsFor(401, 404) },
});

const retryRoute = createRoute({
  ...base,
  tags: ['Deliveries'],
  operationId: 'retryDelivery',
  ...requires('invitations:write'),
  method: 'post',
  path: '/deliveries/{id}/retry',
  summary: 'Queue a failed delivery again, with a fresh set of attempts',
  request: { params: IdParam },
  responses: { 200: json(DeliverySchema, 'The delivery, queued'), ...problemsFor(401, 404, 409) },
});

const endpointDeliveriesRoute = createRoute({
  ...base,
  tags: ['Webhooks'],
  operationId: 'listWebhookDeliveries',
  ...requires('webhooks:manage'),
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  summary: "The endpoint's delivery log, newest first",
  request: { params: IdParam },
  responses: { 200: json(z.object({ data: z.array(DeliverySchema) }), 'Deliveries'), ...problemsFor(401, 404) },
});

const pingRoute = createRoute({
  ...base,
  tags: ['Webhooks'],
  operationId: 'pingWebhookEndpoint',
  ...requires('webhooks:manage'),
  method: 'post',
  path: '/webhooks/{id}/ping',
  summary: 'Send a signed webhook.ping now and report what the endpoint answered',
  request: { params: IdParam },
  responses: { 200: json(DeliverySchema, 'The ping delivery and its one attempt'), ...problemsFor(401, 404) },
});

const mailboxRoute = createRoute({
  ...base,
  tags: ['Mailbox'],
  operationId: 'listMailbox',
  ...requires('invitations:read'),
  method: 'get',
  path: '/mailbox',
  summary: 'Messages kept locally because no SMTP server is configured',
  request: {
    query: z.strictObject({
      limit: z.coerce.number().int().min(1).max(200).optional(),
      cursor: z.string().max(512).optional(),
    }),
  },
  responses: {
    200: json(z.object({ data: z.array(MailboxMessageSchema), nextCursor: z.string().nullable() }), 'Newest first'),
    ...problemsFor(400, 401),
  },
});

/** Delivery state, retries, webhook log and ping, and the local mailbox. */
export function createDeliveryRoutes({
  db,
  clock,
  pinger,
}: {
  db: Kysely<Database>;
  clock: Clock;
  pinger: WebhookPinger;
}) {
  return createRouter()
    .openapi(invitationDeliveriesRoute, async (c) => {
      const { tenantId } = c.var.auth;
      const { id } = c.req.valid('param');
      await getInvitationRow(db, tenantId, id);
      const data = await listDeliveries(db, tenantId, { invitationId: id });
      return c.json({ summary: deliverySummary(data), data }, 200);
    })
    .openapi(getDeliveryRoute, async (c) =>
      c.json(await getDelivery(db, c.var.auth.tenantId, c.req.valid('param').id), 200),
    )
    .openapi(retryRoute, async (c) =>
      c.json(await retryDelivery(db, c.var.auth.tenantId, c.req.valid('param').id, clock.now()), 200),
    )
    .openapi(endpointDeliveriesRoute, async (c) => {
      const endpoint = await getEndpoint(db, c.var.auth.tenantId, c.req.valid('param').id);
      return c.json({ data: await listDeliveries(db, c.var.auth.tenantId, { endpointId: endpoint.id }) }, 200);
    })
    .openapi(pingRoute, async (c) => c.json(await pinger.ping(c.var.auth.tenantId, c.req.valid('param').id), 200))
    .openapi(mailboxRoute, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      return c.json(await listMailbox(db, c.var.auth.tenantId, cursor ? decodeCursor(cursor) : null, limit ?? 50), 200);
    });
}
