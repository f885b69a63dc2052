import { z } from '@hono/zod-openapi';
import { LocaleTagSchema } from '#common/locale';
import { checkJsonBounds } from '#http/input-guards';
import { atLeastOneField, atLeastOneFieldMessage } from '#http/validation';
import { AllowedDomainsSchema } from './allowed-domains';
import { EVENT_TYPES, INVITATION_STATUSES } from './lifecycle';
import { TARGET_TYPES } from './record';
import { TOKEN_MAX_LENGTH } from './tokens';

export const Timestamp = z.string().describe('ISO-8601 UTC time.');
const DateTimeInput = z.iso.datetime({ offset: true }).describe('ISO-8601 time with offset or Z.');
export const Did = z
  .string()
  .regex(/^did:[a-z0-9]+:.+$/, 'a DID such as did:key:z6Mk…')
  .max(2048);
/** A channel's name in answers: one this server registers, or registered when the invitation was made. */
export const ChannelName = z
  .string()
  .describe('How it travels: email, link, didcomm, activitypub, provider, or another channel the server registers.');
export const HttpIri = z.url({ protocol: /^https?$/ }).max(2048);

export const MESSAGE_MAX = 2000;

const Metadata = z
  .record(z.string().max(100), z.unknown())
  .superRefine((m, ctx) => {
    if (Object.keys(m).length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 keys' });
    const broken = checkJsonBounds(m, { maxDepth: 8, maxBytes: 8192 });
    if (broken) ctx.addIssue({ code: 'custom', message: broken });
  })
  .describe(
    'Free-form data for the host application, returned as given. At most 50 keys, 8 levels deep, 8 KiB as JSON.',
  );

const Purpose = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe("An identifier of the caller's choosing, unique per tenant (409 when taken).");

export const InvitedByInputSchema = z
  .strictObject({
    id: z.string().trim().min(1).max(200).optional().describe("The host application's own id for the person."),
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('Shown to the invitee: "Ada Lovelace invites you to join Apollo".'),
    email: z
      .email()
      .max(254)
      .optional()
      .describe('Offered to the invitee as a mailto: link when the invitation cannot be used.'),
  })
  .openapi('InvitedByInput');

export const RecipientInputSchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    contactId: z
      .string()
      .max(64)
      .optional()
      .describe('A contact of this tenant; fills in its email when none is given.'),
    did: Did.optional(),
    actorIri: HttpIri.optional(),
    actorHandle: z
      .string()
      .regex(/^@?[^@\s/]+@[^@\s/]+$/, 'a fediverse handle such as @ann@social.example')
      .max(320)
      .optional()
      .describe('For the activitypub channel, instead of actorIri: resolved by WebFinger when the Invite is sent.'),
    provider: z
      .strictObject({
        provider: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a provider name such as linkedin')
          .describe('linkedin, or usher for an identity of this server.'),
        userId: z
          .string()
          .trim()
          .min(1)
          .max(256)
          .describe(
            "The provider's id for the person (GET /v1/provider-accounts/{id}/users/{identifier}); for usher, an identity id.",
          ),
        accountId: z.string().max(64).optional().describe('The provider account that sends it; not for usher.'),
      })
      .optional()
      .describe('For the provider channel: who, on which provider, through which of our accounts.'),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .openapi('RecipientInput');

export const TargetInputSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('tenant') }),
    z.strictObject({
      type: z.enum(['project', 'event', 'group']),
      iri: HttpIri.describe('Where the project, event or group lives.'),
      name: z.string().trim().min(1).max(200),
    }),
  ])
  .openapi('TargetInput');

/**
 * A create request's fields that every channel shares. `channel` and each channel's options come
 * from the channels this server registers: see channel-schemas.ts.
 */
export const InvitationFieldsSchema = z.strictObject({
  identityId: z
    .string()
    .max(64)
    .optional()
    .describe("The inviting identity; the tenant's default identity when omitted."),
  invitedBy: InvitedByInputSchema.optional().describe(
    "The host application's user who sends it. Without it, the inviting identity's display name stands in.",
  ),
  redirectUrl: HttpIri.optional().describe(
    "Where the accept page hands off, overriding the tenant's redirect URL: https (http only where the server allows private addresses).",
  ),
  recipient: RecipientInputSchema.optional(),
  target: TargetInputSchema.default({ type: 'tenant' }).describe(
    'What the invitee joins; the tenant itself by default.',
  ),
  role: z.string().trim().min(1).max(100).optional().describe('Role granted on acceptance; none means no permissions.'),
  rules: z
    .array(z.string().trim().min(1).max(100))
    .max(50)
    .default([])
    .describe('Finer-grained roles, e.g. ["Financeur","Directeur"].'),
  message: z
    .string()
    .max(MESSAGE_MAX)
    .optional()
    .describe(`A personal note shown to the invitee, at most ${MESSAGE_MAX} characters.`),
  label: z.string().trim().max(200).optional(),
  description: z.string().max(2000).optional(),
  purpose: Purpose.optional(),
  public: z
    .boolean()
    .default(false)
    .describe('A public invitation may be shown to anyone, e.g. as a QR code on a poster.'),
  usesAllowed: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .nullable()
    .default(1)
    .describe('How many acceptances it allows; 1 (single-use) by default, null for unlimited.'),
  startsAt: DateTimeInput.optional().describe('Not accepted before this time.'),
  expiresAt: DateTimeInput.optional().describe(
    "Not accepted from this time on; now + the tenant's default expiry when omitted.",
  ),
  locale: LocaleTagSchema.optional().describe("BCP 47 language for the invitee; the tenant's when omitted."),
  metadata: Metadata.default({}),
  allowedDomains: AllowedDomainsSchema.optional(),
  requireApproval: z
    .boolean()
    .optional()
    .describe(
      'Accepting makes a join request (202) that a key with invitations:write approves or declines; link and email only.',
    ),
});

/** A parsed create request: the shared fields, the channel, and that channel's options under its name. */
export type CreateInvitationInput = z.output<typeof InvitationFieldsSchema> & {
  readonly channel: string;
  readonly [channelOptions: string]: unknown;
};

export const UpdateInvitationSchema = z
  .strictObject({
    label: z.string().trim().max(200).nullable().optional(),
    description: z.string().max(2000).nullable().optional(),
    purpose: Purpose.nullable().optional(),
    startsAt: DateTimeInput.nullable().optional(),
    expiresAt: DateTimeInput.optional(),
    usesAllowed: z.number().int().min(1).max(1_000_000).nullable().optional(),
    metadata: Metadata.optional(),
  })
  .refine(atLeastOneField, atLeastOneFieldMessage)
  .openapi('UpdateInvitation');

export type UpdateInvitationInput = z.infer<typeof UpdateInvitationSchema>;

const InvitedBySchema = z
  .object({
    id: z.string().nullable(),
    name: z.string(),
    email: z.string().nullable(),
    source: z
      .enum(['request', 'identity'])
      .describe("request: named by the create request; identity: none was, so the inviting identity's name stands in."),
  })
  .openapi('InvitedBy');

export const InvitationSchema = z
  .object({
    id: z.string(),
    number: z
      .number()
      .int()
      .nullable()
      .describe("A server-wide integer id, in creation order (Indicio Proven's invitation_id)."),
    channel: ChannelName,
    direction: z.enum(['outgoing', 'incoming']),
    status: z
      .enum(INVITATION_STATUSES)
      .describe('As of this response: a pending invitation past expiresAt reads expired.'),
    identityId: z.string(),
    invitedBy: InvitedBySchema.nullable().describe(
      'Who sent it; null on invitations made before inviters were recorded.',
    ),
    redirectUrl: z.string().nullable().describe("This invitation's own redirect URL; null means the tenant's."),
    allowedDomains: z
      .array(z.string())
      .nullable()
      .describe('The email domains this link admits, each address proved; null: any acceptor.'),
    recipient: z.object({
      email: z.string().nullable(),
      contactId: z.string().nullable(),
      did: z.string().nullable(),
      actorIri: z.string().nullable(),
      provider: z.object({ provider: z.string(), userId: z.string() }).nullable(),
      name: z.string().nullable(),
    }),
    target: z.object({ type: z.enum(TARGET_TYPES), iri: z.string().nullable(), name: z.string().nullable() }),
    role: z.string().nullable(),
    rules: z.array(z.string()),
    message: z.string().nullable(),
    label: z.string().nullable(),
    description: z.string().nullable(),
    purpose: z.string().nullable(),
    public: z.boolean(),
    usesAllowed: z.number().int().nullable(),
    usesCount: z.number().int(),
    requireApproval: z.boolean().describe('Accepting makes a join request that someone approves.'),
    startsAt: Timestamp.nullable(),
    expiresAt: Timestamp,
    locale: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Invitation');

/** Where one channel's latest message of an invitation stands; delivery fills it, invitations show it. */
export const DeliveryChannelStateSchema = z
  .object({
    state: z
      .enum(['queued', 'retrying', 'sent', 'failed', 'skipped'])
      .describe(
        'queued: waiting for its first attempt or being sent; retrying: an attempt failed and another is due at `nextAttemptAt`.',
      ),
    reason: z.string().nullable().describe('Why the last attempt failed (retrying, failed); null otherwise.'),
    attempts: z.number().int().describe('Attempts made so far.'),
    nextAttemptAt: z
      .string()
      .nullable()
      .describe('When a queued or retrying message is tried next; null once it is settled.'),
    updatedAt: z.string(),
  })
  .openapi('DeliveryChannelState');

/** One channel's delivery state, as the invitation shows it. */
export type DeliveryChannelState = z.infer<typeof DeliveryChannelStateSchema>;

/** The live link of a link or email invitation, as the operator's view shows it. */
const LinkFields = {
  url: z
    .string()
    .nullable()
    .describe(
      'Link and email invitations: the one live link, the same the create response, the email and its reminders carry. Recomputed from the server secret, never stored. Null when it cannot be shown (`urlUnavailable` says why) and for other channels.',
    ),
  urlUnavailable: z
    .enum(['not_pending', 'secret_changed', 'minted_before_recovery'])
    .nullable()
    .describe(
      'Why `url` is null: not_pending (the invitation is closed; its link only shows its state), secret_changed (derived with another link secret: rotated, or another process with its own), minted_before_recovery (a random link from before links were derived). POST …/reset-link gives a pending one a new link that can be shown.',
    ),
};

export const InvitationDetailSchema = InvitationSchema.extend({
  invitationUrl: z
    .string()
    .nullable()
    .describe(
      'For protocol channels whose invitation is public by design (didcomm: the ?oob= or ?c_i= URL); null for link and email invitations, whose link is `url`.',
    ),
  ...LinkFields,
  delivery: z
    .record(z.string(), DeliveryChannelStateSchema)
    .describe(
      "Per channel (email, reminder, didcomm, activitypub, provider), where the latest message stands; failed carries the reason. `withdrawal`: a provider invitation revoked after it was sent, taken back at the provider (sent: withdrawn; failed: the provider's error). Every attempt: GET …/deliveries. A message finished longer ago than the server's retention (USHER_RETENTION_DAYS, 30 by default) is no longer on record, so an old invitation may show none.",
    ),
}).openapi('InvitationDetail');

export const InvitationWithUrlSchema = InvitationSchema.extend({
  url: z
    .string()
    .nullable()
    .describe(
      'The invitation link: a secret for whoever holds it. GET /v1/invitations/{id} shows it again while it is live, and so does an idempotent replay of its create (the link live now); null when it cannot be shown.',
    ),
}).openapi('InvitationWithUrl');

export const QrQuerySchema = z.strictObject({
  size: z.coerce
    .number()
    .int()
    .min(64)
    .max(2048)
    .default(512)
    .describe('Width and height in pixels, 64 to 2048; 512 by default.'),
});

/** A list query's filters; `channel` is one of the registered channels (channel-schemas.ts adds it). */
export const InvitationQueryFieldsSchema = z.strictObject({
  status: z.enum(INVITATION_STATUSES).optional(),
  direction: z.enum(['outgoing', 'incoming']).optional(),
  email: z.string().max(254).optional().describe('Recipient email, case-insensitive.'),
  contactId: z.string().max(64).optional(),
  identityId: z.string().max(64).optional(),
  target: z.string().max(2048).optional().describe('Target IRI, or "tenant".'),
  purpose: z.string().max(200).optional(),
  createdAfter: DateTimeInput.optional().describe('Inclusive.'),
  createdBefore: DateTimeInput.optional().describe('Exclusive.'),
  sort: z.enum(['createdAt', 'updatedAt', 'expiresAt']).optional().describe('createdAt by default.'),
  order: z.enum(['asc', 'desc']).optional().describe('desc by default.'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 50 by default.'),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page, with the same sort and filters.'),
});

export type InvitationQuery = z.infer<typeof InvitationQueryFieldsSchema> & { readonly channel?: string | undefined };

export const InvitationPageSchema = z
  .object({ data: z.array(InvitationSchema), nextCursor: z.string().nullable() })
  .openapi('InvitationPage');

export const EventSchema = z
  .object({
    id: z.string(),
    invitationId: z.string(),
    type: z.enum(EVENT_TYPES),
    previousStatus: z.enum(INVITATION_STATUSES).nullable(),
    status: z.enum(INVITATION_STATUSES),
    actor: z.string().describe('api_key:<id>, invitee, remote:<actor IRI> (another server) or system.'),
    data: z.record(z.string(), z.unknown()),
    createdAt: Timestamp,
  })
  .openapi('InvitationEvent');

export const TokenParam = z.object({
  token: z
    .string()
    .max(TOKEN_MAX_LENGTH)
    .openapi({ param: { name: 'token', in: 'path' } }),
});
export const IdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
export const PurposeParam = z.object({
  purpose: z
    .string()
    .max(200)
    .openapi({ param: { name: 'purpose', in: 'path' } }),
});
export const IdempotencyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Same key and same body give the same result; same key and another body give 422. Kept 24 hours.'),
});
