import { z } from '@hono/zod-openapi';
import { baseUrlOf } from './unipile-connector';
import { PLANS, PROVIDERS } from './limits';

const Timestamp = z.string().describe('ISO-8601 UTC time.');

/** A DSN is host[:port] (https) or an http(s) base URL, without credentials, query or fragment. */
function isDsn(dsn: string): boolean {
  const parts = /^(?:https?:\/\/)?([^/?#@\s]+)(\/[^?#@\s]*)?$/i.exec(dsn);
  if (!parts || !/^([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(parts[1]!))
    return false;
  try {
    return new URL(baseUrlOf(dsn)).hostname !== '';
  } catch {
    return false;
  }
}

const Limit = (max: number, min = 1) => z.number().int().min(min).max(max);

export const LimitOverridesSchema = z
  .strictObject({
    invitationsPerDay: Limit(10_000).nullable().optional().describe('Per rolling 24 hours; null for no limit.'),
    invitationsPerWeek: Limit(50_000).nullable().optional().describe('Per rolling 7 days; null for no limit.'),
    notesPerMonth: Limit(10_000, 0)
      .nullable()
      .optional()
      .describe('Invitations with a note per rolling 30 days; 0 forbids notes, null for no limit.'),
    noteMaxLength: Limit(2000).optional().describe('The longest note, in characters.'),
    minSpacingSeconds: Limit(86_400, 0).optional().describe('The least time between two invitations.'),
    jitterSeconds: Limit(86_400, 0).optional().describe('A random extra wait, up to this, on top of the spacing.'),
  })
  .openapi('ProviderLimitOverrides');

const LimitsSchema = z
  .object({
    invitationsPerDay: z.number().int().nullable(),
    invitationsPerWeek: z.number().int().nullable(),
    notesPerMonth: z.number().int().nullable(),
    noteMaxLength: z.number().int(),
    minSpacingSeconds: z.number().int(),
    jitterSeconds: z.number().int(),
  })
  .openapi('ProviderLimits');

export const CreateProviderAccountSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS).describe('The social network the account is on.'),
    name: z.string().trim().min(1).max(200).optional(),
    dsn: z
      .string()
      .max(2048)
      .refine(isDsn, 'host[:port] or an http(s) base URL')
      .describe('Where its Unipile-compatible API answers: host[:port] (https), or a full http(s) URL.'),
    apiKey: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .describe('Sent as X-API-KEY. Stored to call the provider, never shown again.'),
    accountId: z.string().trim().min(1).max(256).describe("The account's id on that API (Unipile's account_id)."),
    plan: z
      .enum(PLANS)
      .default('free')
      .describe(
        'Picks the default limits: LinkedIn paid ≈ 80 a day, 200 a week, notes of 300 characters; free ≈ 150 a week, 5 notes a month of 200 characters.',
      ),
    limits: LimitOverridesSchema.optional().describe("Replaces single limits of the plan's defaults."),
  })
  .openapi('CreateProviderAccount');

const WindowUseSchema = z.object({
  limit: z.number().int().nullable(),
  used: z.number().int().describe('Slots taken in the rolling window ending now.'),
  remaining: z.number().int().nullable(),
});

export const ProviderAccountSchema = z
  .object({
    id: z.string(),
    provider: z.enum(PROVIDERS),
    name: z.string().nullable(),
    dsn: z.string(),
    accountId: z.string(),
    plan: z.enum(PLANS),
    limits: LimitsSchema,
    limitOverrides: LimitOverridesSchema,
    quota: z
      .object({
        day: WindowUseSchema,
        week: WindowUseSchema,
        notesMonth: WindowUseSchema,
        queued: z.number().int().describe('Invitations waiting in the outbox for a slot still to come.'),
        nextSlot: Timestamp.describe('The earliest time a new invitation without a note would go.'),
        nextSlotWithNote: Timestamp.nullable().describe('The same with a note; null when notes are not allowed.'),
      })
      .describe('As of this response.'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('ProviderAccount');

export const ProviderAccountListSchema = z
  .object({ data: z.array(ProviderAccountSchema) })
  .openapi('ProviderAccountList');

export const ProviderUserSchema = z
  .object({
    provider: z.string().describe('As the provider names itself, e.g. LINKEDIN.'),
    providerId: z.string().describe('Use as recipient.provider.userId.'),
    publicIdentifier: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
  })
  .openapi('ProviderUser');

export const ProviderSentListSchema = z
  .object({
    data: z.array(
      z.object({
        id: z.string(),
        invitedUserId: z.string().nullable(),
        invitedUserPublicId: z.string().nullable(),
        invitedUser: z.string().nullable(),
        date: z.string().nullable(),
        text: z.string().nullable(),
      }),
    ),
    cursor: z.string().nullable().describe('Pass back as ?cursor= for the next page; null on the last.'),
  })
  .openapi('ProviderSentList');

export const AccountIdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
export const UserParams = AccountIdParam.extend({
  identifier: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'identifier', in: 'path' } }),
});
export const SentQuerySchema = z.strictObject({
  cursor: z.string().min(1).max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional().describe("1–100; the provider's default when omitted."),
});
