import { createRoute, z } from '@hono/zod-openapi';
import { OpenAPIHono } from '@hono/zod-openapi';
import { json, problemsFor } from '#http/responses';
import { validationHook } from '#http/validation';
import type { InvitationService } from './service';
import {
  AcceptResultSchema,
  EmailCodeRequestSchema,
  EmailCodeSentSchema,
  PublicInvitationSchema,
} from './public-schemas';
import { TokenParam } from './schemas';
import { AcceptInvitationSchema } from './public-schemas';
import { JoinRequestAnswerSchema } from './join-request-schemas';

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
    'For an invitation addressed to someone, that someone becomes the member. For an open link, say who accepts (email, did, actorIri or subject). An invitation with requireApproval answers 202 with a pending join request (the same one when the same person asks again; 403 join_request_declined once declined); once approved, accepting again gives the seat and its token. Expired, revoked, declined → 410; spent → 410 invitation_exhausted or invitation_already_accepted; not yet active → 409.',
  request: {
    params: TokenParam,
    body: { content: { 'application/json': { schema: AcceptInvitationSchema } }, required: false },
  },
  responses: {
    200: json(AcceptResultSchema, 'Accepted'),
    202: json(JoinRequestAnswerSchema, 'The invitation requires approval: a join request, pending, and no token yet'),
    ...problemsFor(400, 403, 404, 409, 410, 429),
  },
});

const emailCodeRoute = createRoute({
  operationId: 'requestEmailCode',
  method: 'post',
  path: '/public/invitations/{token}/email-code',
  tags,
  summary: 'Mail a one-time code that proves an address, on a link with allowedDomains',
  description:
    'A six-digit code, valid 10 minutes for 5 tries, is mailed to the address; accept with {email, emailCode}. ' +
    'Asking again replaces the code. 403 email_domain_not_allowed for an address at another domain; 409 ' +
    'email_proof_not_needed on a link that admits anyone; 410 when the invitation can no longer be accepted.',
  request: { params: TokenParam, body: { content: { 'application/json': { schema: EmailCodeRequestSchema } } } },
  responses: { 202: json(EmailCodeSentSchema, 'The code is on its way'), ...problemsFor(400, 403, 404, 409, 410, 429) },
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
    .openapi(acceptRoute, async (c) => {
      const result = await invitations.acceptByToken(c.req.valid('param').token, c.req.valid('json') ?? {});
      return 'joinRequest' in result ? c.json(result, 202) : c.json(result, 200);
    })
    .openapi(emailCodeRoute, async (c) => {
      const { token } = c.req.valid('param');
      return c.json(await invitations.requestEmailCode(token, c.req.valid('json').email), 202);
    })
    .openapi(didChallengeRoute, async (c) =>
      c.json(await invitations.didChallengeByToken(c.req.valid('param').token), 200),
    )
    .openapi(declineRoute, async (c) => c.json(await invitations.declineByToken(c.req.valid('param').token), 200));
}
