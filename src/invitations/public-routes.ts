import { createRoute, z } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import { json, problemsFor } from '#http/responses';
import { validationHook } from '#http/validation';
import type { InvitationService } from './service';
import { AcceptResultSchema, PublicInvitationSchema } from './public-schemas';
import { AcceptInvitationSchema, TokenParam } from './schemas';

const tags = ['Invitee'];

const viewRoute = createRoute({
  operationId: 'viewInvitation',
  method: 'get',
  path: '/public/invitations/{token}',
  tags,
  summary: 'What the invitee sees: inviter, target, role, message, expiry, state',
  description: 'A read: opening a link (or a mail scanner opening it) never changes the invitation.',
  request: { params: TokenParam },
  responses: { 200: json(PublicInvitationSchema, 'The invitation as the invitee sees it'), ...problemsFor(404, 429) },
});

const acceptRoute = createRoute({
  operationId: 'acceptInvitation',
  method: 'post',
  path: '/public/invitations/{token}/accept',
  tags,
  summary: 'Accept: records a redemption and grants the membership',
  description:
    'For an invitation addressed to someone, that someone becomes the member. For an open link, say who accepts (email, did, actorIri or subject). Expired, revoked, declined → 410; spent → 410 invitation_exhausted or invitation_already_accepted; not yet active → 409.',
  request: {
    params: TokenParam,
    body: { content: { 'application/json': { schema: AcceptInvitationSchema } }, required: false },
  },
  responses: { 200: json(AcceptResultSchema, 'Accepted'), ...problemsFor(400, 404, 409, 410, 429) },
});

const didChallengeRoute = createRoute({
  operationId: 'createDidChallenge',
  method: 'post',
  path: '/public/invitations/{token}/did-challenge',
  tags,
  summary: 'A challenge to sign, for an invitation bound to a DID',
  description:
    'Naming the DID does not accept an invitation bound to it. Sign `{"nonce": …}` as a compact JWS (EdDSA) with an ' +
    'authentication key of the DID (did:key, did:peer) and send it as `didProof` to accept. Single use, five minutes.',
  request: { params: TokenParam },
  responses: {
    200: json(
      z.object({ did: z.string(), nonce: z.string(), expiresAt: z.string() }).openapi('DidChallenge'),
      'The challenge',
    ),
    ...problemsFor(404, 409, 429),
  },
});

const declineRoute = createRoute({
  operationId: 'declineInvitationByToken',
  method: 'post',
  path: '/public/invitations/{token}/decline',
  tags,
  summary: 'Decline a single-use invitation',
  request: { params: TokenParam },
  responses: { 200: json(PublicInvitationSchema, 'Declined'), ...problemsFor(404, 409, 410, 429) },
});

/** Routes the invitee reaches with the link's token alone; no API key. */
export function createPublicInvitationRoutes({ invitations }: { invitations: InvitationService }) {
  return new OpenAPIHono({ defaultHook: validationHook as never })
    .openapi(viewRoute, async (c) => c.json(await invitations.viewByToken(c.req.valid('param').token), 200))
    .openapi(acceptRoute, async (c) =>
      c.json(await invitations.acceptByToken(c.req.valid('param').token, c.req.valid('json') ?? {}), 200),
    )
    .openapi(didChallengeRoute, async (c) =>
      c.json(await invitations.didChallengeByToken(c.req.valid('param').token), 200),
    )
    .openapi(declineRoute, async (c) => c.json(await invitations.declineByToken(c.req.valid('param').token), 200));
}
