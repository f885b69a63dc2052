import { z } from '@hono/zod-openapi';
import { MembershipSchema } from '#memberships';
import { INVITATION_STATUSES } from './lifecycle';
import { TARGET_TYPES } from './record';
import { ChannelName, Did, HttpIri, Timestamp } from './schemas';

/** What the invitee sees and gets: the public view of an invitation and the result of accepting it. */
export const PublicInvitationSchema = z
  .object({
    status: z.enum(INVITATION_STATUSES),
    channel: ChannelName,
    tenant: z.object({ name: z.string(), branding: z.object({ color: z.string(), logoUrl: z.string().nullable() }) }),
    inviter: z.object({ displayName: z.string(), handle: z.string(), did: z.string() }),
    invitedBy: z
      .object({ name: z.string(), email: z.string().nullable() })
      .nullable()
      .describe(
        'The person who sent it, never their id. Their address only on an invitation mailed to one recipient (the person ' +
          'they wrote to, who may ask them for a new one); null on a shareable link, which anyone may hold.',
      ),
    target: z.object({ type: z.enum(TARGET_TYPES), iri: z.string().nullable(), name: z.string().nullable() }),
    role: z.string().nullable(),
    rules: z.array(z.string()),
    message: z.string().nullable(),
    recipientHint: z.string().nullable().describe('The invited address, masked (j***@example.com).'),
    multiUse: z.boolean(),
    allowedDomains: z
      .array(z.string())
      .nullable()
      .describe(
        'The email domains this link admits; each acceptor proves its address first (POST …/email-code, then accept ' +
          'with emailCode, or with the host application’s emailAssertion). null: anyone holding the link.',
      ),
    requireApproval: z
      .boolean()
      .describe('Accepting makes a join request (202) that the tenant approves or declines; the seat comes after.'),
    recipientDid: z
      .string()
      .nullable()
      .describe(
        'The DID a DID-bound invitation is for: accepting needs a proof of it (POST …/did-challenge, then accept ' +
          'with didProof). null: not bound to a DID.',
      ),
    startsAt: Timestamp.nullable(),
    expiresAt: Timestamp,
    locale: z.string(),
  })
  .openapi('PublicInvitation');

export const AcceptResultSchema = z
  .object({
    invitationId: z.string().describe("The accepted invitation's id: the `invitation` claim of the token."),
    invitation: PublicInvitationSchema,
    redemption: z.object({ id: z.string(), createdAt: Timestamp }),
    membership: MembershipSchema,
    existingMembership: z
      .boolean()
      .describe(
        'True when a multi-use invitation gave the acceptor back the membership it had already given them ' +
          '(the same email, DID, actor or subject): no use consumed, no new redemption or event, a new token.',
      ),
    acceptanceToken: z
      .object({ token: z.string(), expiresAt: z.string() })
      .describe(
        'A short-lived EdDSA JWT (claims: invitation, tenant, target, role, rules, recipient, invited_by, redemption) to verify against /.well-known/jwks.json.',
      ),
    redirectUrl: z
      .string()
      .nullable()
      .describe(
        "The invitation's redirect URL, else the tenant's, else null. The accept page hands off to it as OIDC form_post does: " +
          'an auto-submitted form POSTs acceptance_token and invitation_id (application/x-www-form-urlencoded), never in the URL.',
      ),
  })
  .openapi('AcceptResult');

export const EmailCodeRequestSchema = z
  .strictObject({ email: z.email().max(254).describe('The address to prove: a code is mailed to it.') })
  .openapi('EmailCodeRequest');

export const EmailCodeSentSchema = z
  .object({ expiresAt: Timestamp.describe('The code works until then (10 minutes), for 5 tries.') })
  .openapi('EmailCodeSent');

export const AcceptInvitationSchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    name: z.string().trim().min(1).max(200).optional(),
    did: Did.optional(),
    actorIri: HttpIri.optional(),
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe("The host application's own id for the person accepting."),
    emailCode: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'the six digits mailed')
      .optional()
      .describe('On a link with allowedDomains: the code mailed to `email` (POST …/email-code). Used up on success.'),
    emailAssertion: z
      .string()
      .max(8192)
      .optional()
      .describe(
        "On a link with allowedDomains, instead of a code: the host application's EdDSA JWT (claims email, aud = " +
          "the invitation id, exp) signed with a key in the tenant's emailAssertionKeys.",
      ),
    didProof: z
      .string()
      .max(8192)
      .optional()
      .describe(
        'For an invitation bound to a DID: a compact JWS (EdDSA) of {"nonce": …} from POST …/did-challenge, signed ' +
          'by an authentication key of that DID.',
      ),
  })
  .openapi('AcceptInvitation');

/** An accept request as given: who accepts, and the proof of their address or DID when the invitation asks for one. */
export type AcceptInput = z.infer<typeof AcceptInvitationSchema>;
/** Who accepts: what a redemption records and a membership is made from. */
export type AcceptorInput = Omit<AcceptInput, 'emailCode' | 'emailAssertion' | 'didProof'>;
