import { z } from '@hono/zod-openapi';

/** Unipile's longest invitation note (its API's maxLength for `message`). */
export const NOTE_MAX = 300;

const AccountId = z.string().min(1).max(256).describe("The inviting identity's id (Unipile's connected account).");

export const AccountQuerySchema = z.strictObject({ account_id: AccountId });

export const IdentifierParam = z.object({
  identifier: z
    .string()
    .min(1)
    .max(2048)
    .openapi({ param: { name: 'identifier', in: 'path' } })
    .describe(
      'A handle of this server (the public identifier) or an identity id (the provider id); or a fediverse actor: @user@host, or its IRI (percent-encoded).',
    ),
});

export const UserProfileSchema = z
  .object({
    object: z.literal('UserProfile'),
    provider: z
      .enum(['USHER', 'ACTIVITYPUB'])
      .describe(
        'USHER: an identity of this server (provider_id = its id). ACTIVITYPUB: a fediverse actor found by @user@host (provider_id = its actor IRI; inviting it sends an ActivityPub Invite).',
      ),
    provider_id: z.string().describe("What invitations go to: the identity's id, or the actor's IRI."),
    public_identifier: z
      .string()
      .describe(
        "The identity's handle, unique on this server; for an actor, @user@host (its IRI when it has no preferredUsername).",
      ),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    is_self: z.boolean(),
  })
  .openapi('UnipileUserProfile');

export const InviteSchema = z
  .strictObject({
    provider_id: z
      .string()
      .min(1)
      .max(2048)
      .describe(
        "The invitee, as GET /api/v1/users/{identifier} gives it: an identity id, or a fediverse actor's IRI (@user@host works too).",
      ),
    account_id: AccountId,
    message: z
      .string()
      .max(10_000)
      .optional()
      .describe(`An optional note, at most ${NOTE_MAX} characters (errors/too_many_characters beyond).`),
    user_email: z.string().max(254).optional().describe('LinkedIn-specific in Unipile; accepted and ignored here.'),
  })
  .openapi('UnipileInvite');

export const InvitationSentSchema = z
  .object({
    object: z.literal('UserInvitationSent'),
    invitation_id: z.string(),
    usage: z
      .number()
      .optional()
      .describe(
        'Unipile sends it when a provider limit passes 50, 75, 90 or 95 %; identities of this server have none, so it is absent.',
      ),
  })
  .openapi('UnipileUserInvitationSent');

export const InvitationIdParam = z.object({
  invitation_id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'invitation_id', in: 'path' } })
    .describe('The invitation_id POST /api/v1/users/invite answered with.'),
});

export const InvitationCanceledSchema = z
  .object({ object: z.literal('InvitationCanceled') })
  .openapi('UnipileInvitationCanceled');

export const SentQuerySchema = AccountQuerySchema.extend({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional().describe('1–100, 10 by default.'),
});

export const InvitationListSchema = z
  .object({
    object: z.literal('InvitationList'),
    items: z.array(
      z.object({
        object: z.literal('InvitationSent'),
        id: z.string(),
        invited_user: z.string().nullable(),
        invited_user_id: z.string().nullable(),
        invited_user_public_id: z.string().nullable(),
        invited_user_description: z.string().nullable(),
        date: z.string(),
        parsed_datetime: z.string().nullable(),
        invitation_text: z.string().nullable(),
        inviter: z.object({
          inviter_name: z.string(),
          inviter_id: z.string(),
          inviter_public_identifier: z.string(),
          inviter_description: z.string().nullable(),
        }),
      }),
    ),
    cursor: z.string().nullable(),
  })
  .openapi('UnipileInvitationList');
