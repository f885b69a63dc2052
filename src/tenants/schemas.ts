import { z } from '@hono/zod-openapi';
import { LocaleTagSchema } from '#common/locale';
import { pageUrlSchemes, type PageUrlPolicy } from '#common/page-url';
import { atLeastOneField, atLeastOneFieldMessage } from '#http/validation';
import { SCOPES } from '#common/rights';
import { TenantSettingsSchema } from './settings';
import { InviteQuotaSchema, InviteQuotasSchema } from './invite-quota';

const Timestamp = z.string().describe('ISO-8601 UTC time.');
const Id = z.string().describe('UUIDv7.');

export const TenantSchema = z
  .object({ id: Id, name: z.string(), settings: TenantSettingsSchema, createdAt: Timestamp, updatedAt: Timestamp })
  .openapi('Tenant');

export type { PageUrlPolicy } from '#common/page-url';

/** A URL a page renders as a link or an image source, under `policy`. */
export function pageUrlSchema(policy: PageUrlPolicy) {
  const schemes = pageUrlSchemes(policy).map((scheme) => scheme.slice(0, -1));
  const error = policy.allowHttp ? 'an http(s) URL' : 'an https URL';
  return z.url({ protocol: new RegExp(`^(${schemes.join('|')})$`), error }).max(2048);
}

/** The PATCH /tenant body; the console's settings form is judged by the same schema. */
export function updateTenantSchema(policy: PageUrlPolicy) {
  return z
    .strictObject({
      name: z.string().trim().min(1).max(200).optional(),
      settings: z
        .strictObject({
          defaultExpirySeconds: TenantSettingsSchema.shape.defaultExpirySeconds.unwrap().optional(),
          locale: LocaleTagSchema.optional(),
          branding: z
            .strictObject({
              color: z
                .string()
                .regex(/^#[0-9a-fA-F]{6}$/)
                .optional(),
              logoUrl: pageUrlSchema(policy).nullable().optional(),
            })
            .optional(),
          redirectUrl: pageUrlSchema(policy).nullable().optional(),
          reminderBeforeExpirySeconds: TenantSettingsSchema.shape.reminderBeforeExpirySeconds.unwrap().optional(),
          emailTemplates: TenantSettingsSchema.shape.emailTemplates.unwrap().optional(),
          activityPubInviteShape: TenantSettingsSchema.shape.activityPubInviteShape.unwrap().optional(),
          rateLimitPerMinute: TenantSettingsSchema.shape.rateLimitPerMinute.unwrap().optional(),
          acceptanceEmailMismatch: TenantSettingsSchema.shape.acceptanceEmailMismatch.unwrap().optional(),
          emailAssertionKeys: TenantSettingsSchema.shape.emailAssertionKeys.unwrap().optional(),
          // Not InviteQuotasSchema.partial(): zod 4 still fills an absent member's default, wiping `inviters`.
          inviteQuotas: z
            .strictObject({
              perKey: InviteQuotasSchema.shape.perKey.unwrap().optional(),
              perInviter: InviteQuotasSchema.shape.perInviter.unwrap().optional(),
              inviters: InviteQuotasSchema.shape.inviters.unwrap().optional(),
            })
            .optional()
            .describe('Each member given (perKey, perInviter, inviters) replaces that member whole.'),
        })
        .optional(),
      renameDefaultIdentity: z
        .boolean()
        .optional()
        .describe('With `name`: the default identity, which invitations are sent from, takes the new name too.'),
    })
    .refine(atLeastOneField, atLeastOneFieldMessage)
    .refine((patch) => !patch.renameDefaultIdentity || patch.name !== undefined, {
      message: 'renameDefaultIdentity needs a new name',
      path: ['renameDefaultIdentity'],
    })
    .openapi('UpdateTenant');
}

export const CreateTenantSchema = z
  .strictObject({ name: z.string().trim().min(1).max(200).describe("Display name; also the default identity's name.") })
  .openapi('CreateTenant');

export const ApiKeySchema = z
  .object({
    id: Id,
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to tell keys apart.'),
    operator: z.boolean().describe('Operator keys may also create tenants (they hold tenants:manage).'),
    scopes: z.array(z.enum(SCOPES)).describe('What the key may do; each operation names the scope it needs.'),
    grantableRoles: z.array(z.string()).describe('Roles its invitations may grant; ["*"]: any.'),
    allowedTargets: z
      .array(z.string())
      .nullable()
      .describe("IRI prefixes its invitations' targets must start with; null: any target."),
    inviteQuota: InviteQuotaSchema.nullable().describe(
      "Invitations it may create per hour and per day; null: the tenant's inviteQuotas.perKey.",
    ),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi('ApiKey');

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('The secret. Shown only in this response; only its hash is stored.'),
}).openapi('CreatedApiKey');

const RoleName = z.string().trim().min(1).max(100);

const KeyQuotaInput = InviteQuotaSchema.nullable().describe(
  "The key's own invitations per hour and per day (null in either: none there); null or omitted: the tenant's " +
    'inviteQuotas.perKey.',
);

/** A new key's name and rights; each right left out is the calling key's own, and none may exceed it (403). */
export const CreateApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(z.enum(SCOPES))
      .max(SCOPES.length)
      .optional()
      .describe("What the key may do; the caller's scopes (but tenants:manage) when omitted."),
    grantableRoles: z
      .array(RoleName)
      .min(1)
      .max(50)
      .optional()
      .describe('Roles its invitations may grant, ["*"] for any; the caller\'s when omitted.'),
    allowedTargets: z
      .array(z.string().trim().min(1).max(2048))
      .min(1)
      .max(50)
      .nullable()
      .optional()
      .describe("IRI prefixes its invitations' targets must start with (null: any); the caller's when omitted."),
    inviteQuota: KeyQuotaInput.optional(),
  })
  .openapi('CreateApiKey');

/** PATCH /api-keys/{id}: what may change of a key after it is made. */
export const UpdateApiKeySchema = z.strictObject({ inviteQuota: KeyQuotaInput }).openapi('UpdateApiKey');

export const IdentitySchema = z
  .object({
    id: Id,
    handle: z.string().describe('Unique on this server; the ActivityPub acct: name.'),
    displayName: z.string(),
    did: z.string().describe('Ed25519 did:key.'),
    status: z.enum(['active', 'disabled']),
    isDefault: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Identity');

export const CreateIdentitySchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200),
    handle: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_.-]{0,62}$/,
        'lower-case letters, digits, "_", "." and "-", starting with a letter or digit',
      )
      .optional()
      .describe('Defaults to one made from the display name.'),
  })
  .openapi('CreateIdentity');

export const UpdateIdentitySchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(200).optional(),
    status: z.enum(['active', 'disabled']).optional(),
  })
  .refine(atLeastOneField, atLeastOneFieldMessage)
  .openapi('UpdateIdentity');

const ProviderHandles = z
  .record(z.string().regex(/^[a-z0-9_-]{1,40}$/), z.string().min(1).max(200))
  .refine((r) => Object.keys(r).length <= 20, 'at most 20 providers')
  .describe('Handle per provider, e.g. {"linkedin": "julien-crepieux"}.');

export const ContactSchema = z
  .object({
    id: Id,
    name: z.string().nullable(),
    email: z.string().nullable(),
    did: z.string().nullable(),
    actorIri: z.string().nullable(),
    providerHandles: z.record(z.string(), z.string()),
    tags: z.array(z.string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('Contact');

const contactFields = {
  name: z.string().trim().min(1).max(200).nullable().optional(),
  email: z.email().max(254).nullable().optional(),
  did: z
    .string()
    .regex(/^did:[a-z0-9]+:.+$/, 'a DID such as did:key:z6Mk…')
    .max(2048)
    .nullable()
    .optional(),
  actorIri: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable()
    .optional(),
  providerHandles: ProviderHandles.optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
};

export const CreateContactSchema = z.strictObject(contactFields).openapi('CreateContact');
export const UpdateContactSchema = z
  .strictObject(contactFields)
  .refine(atLeastOneField, atLeastOneFieldMessage)
  .openapi('UpdateContact');

export const ContactQuerySchema = z.strictObject({
  email: z.string().max(254).optional().describe('Exact address, case-insensitive.'),
  did: z.string().max(2048).optional(),
  actorIri: z.string().max(2048).optional(),
  tag: z.string().max(50).optional(),
  order: z.enum(['asc', 'desc']).optional().describe('By creation time; asc by default.'),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 50 by default.'),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page.'),
});

export const ContactPageSchema = z
  .object({ data: z.array(ContactSchema), nextCursor: z.string().nullable() })
  .openapi('ContactPage');

export const IdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
