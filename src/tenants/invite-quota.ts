import { z } from '@hono/zod-openapi';

const perWindow = (period: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .nullable()
    .default(null)
    .describe(`Invitations per ${period} (a fixed UTC window); null: no quota.`);

/**
 * Invitations one subject may create per hour and per day; null in either: no quota there. Not a named
 * component: a nullable named one becomes an allOf that the SDK's generator types as an empty record.
 */
export const InviteQuotaSchema = z.strictObject({ perHour: perWindow('hour'), perDay: perWindow('day') });

export type InviteQuota = z.infer<typeof InviteQuotaSchema>;

/** No quota at all: what a tenant has until it sets one. */
export const NO_QUOTA: InviteQuota = Object.freeze({ perHour: null, perDay: null });

/** How many host-application users a tenant may give their own quota in its settings; the settings stay small. */
export const MAX_INVITER_OVERRIDES = 1000;

/** A tenant's quotas: the defaults for each API key and each `invitedBy.id`, and per-user overrides. */
export const InviteQuotasSchema = z
  .strictObject({
    perKey: InviteQuotaSchema.default(NO_QUOTA).describe(
      "Each API key's quota, unless the key has its own (inviteQuota on the key).",
    ),
    perInviter: InviteQuotaSchema.default(NO_QUOTA).describe(
      "Each host-application user's quota (invitedBy.id, across the tenant's keys), unless `inviters` names them.",
    ),
    inviters: z
      .record(z.string().trim().min(1).max(200), InviteQuotaSchema)
      .refine((map) => Object.keys(map).length <= MAX_INVITER_OVERRIDES, `at most ${MAX_INVITER_OVERRIDES} inviters`)
      .default({})
      .describe('Quotas of named users by invitedBy.id, replacing perInviter for them (null there: no quota).'),
  })
  .openapi('InviteQuotas');

export type InviteQuotas = z.infer<typeof InviteQuotasSchema>;

/** A stored key quota column: null keeps the tenant's default. */
export const parseKeyQuota = (text: string | null): InviteQuota | null =>
  text === null ? null : InviteQuotaSchema.parse(JSON.parse(text));

/**
 * Whether `asked` (null: the tenant's default, which may be none) is within `own`, a maker's own
 * quota: a limited key cannot make or set a key that invites more than it may (null own: no bound).
 */
export function quotaWithin(own: InviteQuota | null, asked: InviteQuota | null): boolean {
  if (own === null) return true;
  const within = (mine: number | null, theirs: number | null | undefined) =>
    mine === null || (theirs !== null && theirs !== undefined && theirs <= mine);
  return within(own.perHour, asked?.perHour) && within(own.perDay, asked?.perDay);
}
