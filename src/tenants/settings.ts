import { z } from '@hono/zod-openapi';
import { TemplateOverridesSchema } from './template-overrides';
import { InviteQuotasSchema, NO_QUOTA } from './invite-quota';
import { EmailAssertionKeysSchema } from './assertion-keys';

const DAY = 86_400;

/** A tenant's settings; every field has a default so old rows keep working as fields are added. */
export const TenantSettingsSchema = z
  .strictObject({
    defaultExpirySeconds: z
      .number()
      .int()
      .min(60)
      .max(3650 * DAY)
      .default(7 * DAY)
      .describe(
        'How long a new invitation stays valid when the request gives no end of its window. 7 days by default.',
      ),
    locale: z
      .string()
      .min(2)
      .max(35)
      .default('en')
      .describe('BCP 47 language of messages and pages when an invitation names none.'),
    branding: z
      .strictObject({
        color: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/)
          .default('#4f46e5')
          .describe('Accent colour, #rrggbb.'),
        logoUrl: z.url().max(2048).nullable().default(null).describe('Logo shown in emails and on the accept page.'),
      })
      .default({ color: '#4f46e5', logoUrl: null }),
    redirectUrl: z
      .url()
      .max(2048)
      .nullable()
      .default(null)
      .describe(
        'Where the accept flow ends: the accept page POSTs acceptance_token and invitation_id there as a form ' +
          "(OIDC form_post); an invitation's own redirectUrl overrides it. Null: a confirmation page.",
      ),
    reminderBeforeExpirySeconds: z
      .number()
      .int()
      .min(60)
      .max(365 * DAY)
      .nullable()
      .default(null)
      .describe('Send a reminder email this long before an email invitation expires; null (the default) sends none.'),
    rateLimitPerMinute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .nullable()
      .default(null)
      .describe(
        "Requests per minute this tenant's keys may make, across every process; past it, 429 with Retry-After. null (the default): no limit.",
      ),
    inviteQuotas: InviteQuotasSchema.default({ perKey: NO_QUOTA, perInviter: NO_QUOTA, inviters: {} }).describe(
      'Invitations per hour and per day for each API key and each invitedBy.id; past one, 429 with Retry-After.',
    ),
    activityPubInviteShape: z
      .enum(['object-invitee', 'target-invitee'])
      .default('object-invitee')
      .describe(
        'How outgoing ActivityPub Invites name the invitee: "object-invitee" (object = the invitee, target = the project or event, as Communecter and ForgeFed do; the default) or "target-invitee" (object = the event, target = the invitee, as the ActivityStreams vocabulary example does). Incoming Invites are read in either shape.',
      ),
    acceptanceEmailMismatch: z
      .enum(['accept_and_flag', 'refuse'])
      .default('accept_and_flag')
      .describe(
        'When an email invitation is accepted with another address than the invited one: "accept_and_flag" (the ' +
          'default) admits the invited person and records the other address on the membership and the ' +
          'invitation.accepted webhook (acceptedEmail, emailMismatch: true); "refuse" answers 403 ' +
          'acceptor_email_mismatch and changes nothing.',
      ),
    emailAssertionKeys: EmailAssertionKeysSchema,
    emailTemplates: TemplateOverridesSchema.default({}).describe(
      'Per locale and kind (invitation, reminder), replacements for the subject, text or HTML of the built-in emails, with {{placeholders}}.',
    ),
  })
  .openapi('TenantSettings');

export type TenantSettings = z.infer<typeof TenantSettingsSchema>;

/** How many distinct settings texts keep their parsed value; a server has one per tenant. */
const PARSED_SETTINGS_KEPT = 1000;
const parsedSettings = new Map<string, TenantSettings>();

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Reads stored settings, filling in defaults for fields added after the row was written. Keyed
 * by the stored text, so a changed row is parsed anew: every create and accept reads the
 * tenant, and the zod parse cost more than the query (bench). The value is frozen because it
 * is shared between callers.
 */
export function parseSettings(text: string): TenantSettings {
  let settings = parsedSettings.get(text);
  if (settings) return settings;
  settings = deepFreeze(TenantSettingsSchema.parse(JSON.parse(text)));
  if (parsedSettings.size >= PARSED_SETTINGS_KEPT) parsedSettings.delete(parsedSettings.keys().next().value!);
  parsedSettings.set(text, settings);
  return settings;
}

export const defaultSettings: TenantSettings = TenantSettingsSchema.parse({});
