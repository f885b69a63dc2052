import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { json, problems, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { apiKeyActor } from './events';
import { runIdempotent } from './idempotency';
import { createInBulk } from './bulk';
import { BULK_MAX_ITEMS, BulkResultSchema, bulkCreateSchemaOf, type BulkResult } from './bulk-schemas';
import type { ChannelSchemas } from './channel-schemas';
import type { InvitationService, InvitationWithUrl } from './service';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import { qrPng, qrSvg } from '#common/qr';
import {
  EventSchema,
  IdempotencyHeader,
  IdParam,
  InvitationPageSchema,
  InvitationDetailSchema,
  InvitationSchema,
  InvitationWithUrlSchema,
  PurposeParam,
  QrQuerySchema,
  UpdateInvitationSchema,
  type DeliveryChannelState,
} from './schemas';

const tags = ['Invitations'];
const base = { tags } as const;

/** The three routes whose bodies name channels: built from the channels the server registers. */
const channelRoutes = (schemas: ChannelSchemas) => ({
  create: createRoute({
    ...base,
    operationId: 'createInvitation',
    ...requires('invitations:write'),
    method: 'post',
    path: '/invitations',
    summary: 'Create an invitation',
    description:
      'The response carries the invitation URL. Only a hash of its token is stored; the link is derived from the server secret, so GET shows it again while it is live.',
    request: {
      headers: IdempotencyHeader,
      body: { content: { 'application/json': { schema: schemas.create } }, required: true },
    },
    responses: {
      201: json(InvitationWithUrlSchema, 'The invitation and its URL'),
      ...problemsFor(400, 401, 404, 409, 413, 422),
      429: {
        description:
          'Over an invitation quota (`invite_quota_exceeded`; `quota` names the key or inviter, period and limit): ' +
          'wait `Retry-After` seconds.',
        content: problems[429].content,
        headers: { 'Retry-After': problems[429].headers['Retry-After'] },
      },
    },
  }),
  bulk: createRoute({
    ...base,
    operationId: 'createInvitationsInBulk',
    ...requires('invitations:write'),
    method: 'post',
    path: '/invitations/bulk',
    summary: `Create up to ${BULK_MAX_ITEMS} invitations in one call`,
    description:
      'Each item is created as by POST /v1/invitations, and the response says per item whether it was `created` (with its link, shown once), a `duplicate` (the recipient already has a pending invitation to that target) or `invalid` (with the problem it would have got). A bad item never fails the call. With an Idempotency-Key, a retried call replays the same results, links omitted; with or without one, rerunning an email import creates no second invitation for anyone.',
    request: {
      headers: IdempotencyHeader,
      body: { content: { 'application/json': { schema: bulkCreateSchemaOf(schemas) } }, required: true },
    },
    responses: { 200: json(BulkResultSchema, 'One result per item, in order'), ...problemsFor(400, 401, 413, 422) },
  }),
  list: createRoute({
    ...base,
    operationId: 'listInvitations',
    ...requires('invitations:read'),
    method: 'get',
    path: '/invitations',
    summary: 'List invitations with filters, sort and cursor pagination',
    request: { query: schemas.query },
    responses: { 200: json(InvitationPageSchema, 'A page of invitations'), ...problemsFor(400, 401) },
  }),
});

const getRoute = createRoute({
  ...base,
  operationId: 'getInvitation',
  ...requires('invitations:read'),
  method: 'get',
  path: '/invitations/{id}',
  summary: 'Get an invitation',
  request: { params: IdParam },
  responses: {
    200: json(InvitationDetailSchema, 'The invitation, with where its messages stand'),
    ...problemsFor(401, 404),
  },
});

const getByPurposeRoute = createRoute({
  ...base,
  operationId: 'getInvitationByPurpose',
  ...requires('invitations:read'),
  method: 'get',
  path: '/invitations/by-purpose/{purpose}',
  summary: 'Get an invitation by its purpose',
  request: { params: PurposeParam },
  responses: { 200: json(InvitationSchema, 'The invitation'), ...problemsFor(401, 404) },
});

const updateRoute = createRoute({
  ...base,
  operationId: 'updateInvitation',
  ...requires('invitations:write'),
  method: 'patch',
  path: '/invitations/{id}',
  summary: "Change a pending invitation's label, description, purpose, window, uses or metadata",
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateInvitationSchema } }, required: true },
  },
  responses: { 200: json(InvitationSchema, 'The invitation'), ...problemsFor(400, 401, 404, 409) },
});

const eventsRoute = createRoute({
  ...base,
  operationId: 'listInvitationEvents',
  ...requires('invitations:read'),
  method: 'get',
  path: '/invitations/{id}/events',
  summary: "The invitation's timeline, oldest first",
  request: { params: IdParam },
  responses: { 200: json(z.object({ data: z.array(EventSchema) }), 'Events'), ...problemsFor(401, 404) },
});

const OPERATION_IDS = {
  revoke: 'revokeInvitation',
  decline: 'declineInvitation',
  resend: 'resendInvitation',
  'reset-link': 'resetInvitationLink',
  // acceptInvitation is the invitee's accept by link token.
  accept: 'acceptIncomingInvitation',
  'tentative-accept': 'tentativelyAcceptIncomingInvitation',
} as const;

function actionRoute(action: keyof typeof OPERATION_IDS, summary: string, description: string) {
  return createRoute({
    ...base,
    operationId: OPERATION_IDS[action],
    ...requires('invitations:write'),
    method: 'post',
    path: `/invitations/{id}/${action}`,
    summary,
    description,
    request: { params: IdParam },
    responses: {
      200: json(
        action === 'resend' || action === 'reset-link' ? InvitationWithUrlSchema : InvitationSchema,
        'The invitation after the change',
      ),
      ...problemsFor(401, 404, 409, 410),
    },
  });
}

const revokeRoute = actionRoute('revoke', 'Revoke a pending invitation', 'Its link stops working at once.');
const declineRoute = actionRoute(
  'decline',
  'Decline a pending invitation',
  'For incoming invitations, or to record an answer given out of band.',
);
const acceptIncomingRoute = actionRoute(
  'accept',
  'Accept an incoming invitation',
  'For invitations other servers sent to one of our identities (direction incoming): the answer goes back over their channel, e.g. an ActivityPub Accept.',
);
const tentativeRoute = actionRoute(
  'tentative-accept',
  'Tentatively accept an incoming invitation',
  'A maybe: it stays open, to be accepted or declined later. Goes back as an ActivityPub TentativeAccept.',
);
const resendRoute = actionRoute(
  'resend',
  'Send again with a new link and restart the expiry',
  'The old link stops working; the response carries the new URL, which the new email carries too. A link invitation has no one to send to: 409 `link_needs_no_resend`, use reset-link.',
);
const resetLinkRoute = actionRoute(
  'reset-link',
  'Give a link or email invitation a new link',
  'The old link, and every QR code printed of it, stops working at once; nothing is sent. Pending invitations only (409 `invitation_not_pending`); other channels: 409 `link_channel_only`.',
);

function qrRoute(format: 'svg' | 'png') {
  return createRoute({
    ...base,
    operationId: format === 'svg' ? 'getInvitationQrSvg' : 'getInvitationQrPng',
    ...requires('invitations:read'),
    method: 'get',
    path: `/invitations/{id}/qr.${format}`,
    summary: `A QR code of the invitation's live link, as ${format.toUpperCase()}`,
    description:
      'For link and email invitations. 410 `link_gone` once the invitation is closed; 409 `link_unrecoverable` when the link was derived with another secret or predates derived links (reset it).',
    request: { params: IdParam, query: QrQuerySchema },
    responses: {
      200: {
        description: 'The QR code',
        content: {
          [format === 'svg' ? 'image/svg+xml' : 'image/png']: { schema: z.string().openapi({ format: 'binary' }) },
        },
      },
      ...problemsFor(400, 401, 404, 409, 410),
    },
  });
}

/** Per channel, where an invitation's latest message stands; delivery provides it, invitations only show it. */
export type DeliveryStateReader = (tenantId: string, id: string) => Promise<Record<string, DeliveryChannelState>>;

export interface InvitationRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly invitations: InvitationService;
  readonly deliveryState: DeliveryStateReader;
}

/** What an idempotent replay shows: the record, not the link, which was never stored. */
const withoutLink = (invitation: InvitationWithUrl): InvitationWithUrl => ({ ...invitation, url: null });
const replayHeader = (result: { replayed: boolean }): Record<string, string> =>
  result.replayed ? { 'Idempotent-Replayed': 'true' } : {};

/** The tenant-authenticated invitation routes. */
export function createInvitationRoutes({ db, clock, invitations, deliveryState }: InvitationRoutesDeps) {
  const {
    create: createInvitationRoute,
    bulk: bulkRoute,
    list: listRoute,
  } = channelRoutes(invitations.channels.schemas);
  return createRouter()
    .openapi(createInvitationRoute, async (c) => {
      const { tenantId } = c.var.auth;
      const input = c.req.valid('json');
      const result = await runIdempotent<InvitationWithUrl>(
        db,
        {
          tenantId,
          key: c.req.valid('header')['idempotency-key'],
          fingerprint: ['createInvitation', input],
          now: clock.now(),
        },
        async (trx) => ({
          status: 201,
          body: await invitations.createIn(trx, tenantId, input, apiKeyActor(c.var.auth)),
        }),
        withoutLink,
      );
      // The stored replay has no link; a link or email invitation's live one is derived again, as GET shows it.
      const body =
        result.replayed && result.body.url === null
          ? { ...result.body, url: (await invitations.getWithUrl(tenantId, result.body.id)).url }
          : result.body;
      return c.json(body, 201, replayHeader(result));
    })
    .openapi(bulkRoute, async (c) => {
      const { tenantId } = c.var.auth;
      const input = c.req.valid('json');
      const result = await runIdempotent<BulkResult>(
        db,
        {
          tenantId,
          key: c.req.valid('header')['idempotency-key'],
          fingerprint: ['createInvitationsInBulk', input],
          now: clock.now(),
        },
        async (trx) => ({
          status: 200,
          body: await createInBulk(trx, invitations.channels.schemas, input, (inner, item) =>
            invitations.createIn(inner, tenantId, item, apiKeyActor(c.var.auth)),
          ),
        }),
        (body) => ({
          ...body,
          results: body.results.map((r) => (r.invitation ? { ...r, invitation: withoutLink(r.invitation) } : r)),
        }),
        { ownGroup: true },
      );
      return c.json(result.body, 200, replayHeader(result));
    })
    .openapi(listRoute, async (c) => c.json(await invitations.list(c.var.auth.tenantId, c.req.valid('query')), 200))
    .openapi(getByPurposeRoute, async (c) =>
      c.json(await invitations.getByPurpose(c.var.auth.tenantId, c.req.valid('param').purpose), 200),
    )
    .openapi(getRoute, async (c) => {
      const invitation = await invitations.getWithUrl(c.var.auth.tenantId, c.req.valid('param').id);
      return c.json({ ...invitation, delivery: await deliveryState(c.var.auth.tenantId, invitation.id) }, 200);
    })
    .openapi(updateRoute, async (c) =>
      c.json(
        await invitations.update(
          c.var.auth.tenantId,
          c.req.valid('param').id,
          c.req.valid('json'),
          apiKeyActor(c.var.auth),
        ),
        200,
      ),
    )
    .openapi(eventsRoute, async (c) =>
      c.json({ data: await invitations.events(c.var.auth.tenantId, c.req.valid('param').id) }, 200),
    )
    .openapi(revokeRoute, async (c) =>
      c.json(await invitations.revoke(c.var.auth.tenantId, c.req.valid('param').id, apiKeyActor(c.var.auth)), 200),
    )
    .openapi(acceptIncomingRoute, async (c) =>
      c.json(
        await invitations.answerIncoming(
          c.var.auth.tenantId,
          c.req.valid('param').id,
          'accept',
          apiKeyActor(c.var.auth),
        ),
        200,
      ),
    )
    .openapi(tentativeRoute, async (c) =>
      c.json(
        await invitations.answerIncoming(
          c.var.auth.tenantId,
          c.req.valid('param').id,
          'tentative',
          apiKeyActor(c.var.auth),
        ),
        200,
      ),
    )
    .openapi(declineRoute, async (c) =>
      c.json(await invitations.decline(c.var.auth.tenantId, c.req.valid('param').id, apiKeyActor(c.var.auth)), 200),
    )
    .openapi(resendRoute, async (c) =>
      c.json(await invitations.resend(c.var.auth.tenantId, c.req.valid('param').id, apiKeyActor(c.var.auth)), 200),
    )
    .openapi(resetLinkRoute, async (c) =>
      c.json(await invitations.resetLink(c.var.auth.tenantId, c.req.valid('param').id, apiKeyActor(c.var.auth)), 200),
    )
    .openapi(qrRoute('svg'), async (c) => {
      const url = await invitations.liveUrl(c.var.auth.tenantId, c.req.valid('param').id);
      return c.body(await qrSvg(url, c.req.valid('query').size), 200, {
        'content-type': 'image/svg+xml',
        'cache-control': 'no-store',
      });
    })
    .openapi(qrRoute('png'), async (c) => {
      const url = await invitations.liveUrl(c.var.auth.tenantId, c.req.valid('param').id);
      return c.body(new Uint8Array(await qrPng(url, c.req.valid('query').size)), 200, {
        'content-type': 'image/png',
        'cache-control': 'no-store',
      });
    });
}
