/**
 * Indicio Proven's invitation payloads (docs.indicio.tech, copied to
 * test/fixtures/specs/proven-invitations.openapi.json), as zod.
 * These check only shape and Proven's own vocabularies; the limits of each value (lengths,
 * times, use counts) are the native schema's, applied in mapping.ts, so they are never restated.
 */
import { z } from '@hono/zod-openapi';
import { INVITATION_STATUSES } from '#invitations';

/** `sort-field` values and the column each sorts by; columns that are never null, so both engines order alike. */
export const SORT_COLUMNS = {
  updated_at: 'updated_at',
  created_at: 'created_at',
  invitation_id: 'number',
  invitation_active_ending_at: 'expires_at',
} as const;
export type SortField = keyof typeof SORT_COLUMNS;

// Query values arrive as text; a number that is not a whole one is refused rather than rounded.
const whole = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Proven's spec gives the literal "undefined" as the default of its optional strings, so a client generated from it
 * sends `"contact_id": "undefined"` (and `?contact-id=undefined`) for a value it never set: read that as absent.
 */
const unset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === 'undefined' ? undefined : value), schema);

/** GET /api/v1/invitations query, with Proven's defaults (updated_at, DESC, 20 per page, page 1). */
export const ListQuerySchema = z.strictObject({
  'sort-field': unset(z.enum(Object.keys(SORT_COLUMNS) as [SortField, ...SortField[]]).default('updated_at')).describe(
    'The field to sort by (default updated_at).',
  ),
  'sort-direction': unset(z.enum(['ASC', 'DESC', 'asc', 'desc']).default('DESC')).describe(
    'ASC or DESC (default DESC).',
  ),
  'page-size': unset(whole(1, 200).default(20)).describe('Invitations per page, 1 to 200 (default 20).'),
  'current-page': unset(whole(1, 1_000_000).default(1)).describe('The page, from 1 (default 1).'),
  'item-count': unset(whole(0, Number.MAX_SAFE_INTEGER).optional()).describe(
    "The caller's last known total; echoed in params, the count is always computed.",
  ),
  'state-filter': unset(z.string().max(64).optional()).describe(
    'Only invitations in this state (invitation_status), expiry applied as of now; a state Usher never has matches none.',
  ),
  'contact-id': unset(z.string().max(64).optional()).describe('Only invitations for this contact.'),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

/** POST /api/v1/invitations body: an out-of-band invitation. */
export const CreateBodySchema = z
  .strictObject({
    invitation_type: z.string().regex(/^oob$/i, 'only "OOB" invitations exist').describe('"OOB".'),
    contact_id: unset(z.string().nullish()).describe(
      'A contact of this tenant (Usher contact id); a new contact is made with the invitation when omitted.',
    ),
    handshake_protocol: unset(z.string().nullish()).describe(
      'https://didcomm.org/didexchange/1.1 (default), …/didexchange/1.0 or …/connections/1.0; the did:sov prefix and bare "didexchange/1.1" work too.',
    ),
    alias: unset(z.string().nullish()).describe(
      'Our own name for the connections it makes; never sent to the invitee.',
    ),
    invitation_mode: unset(z.enum(['once', 'multi-use', 'multi']).nullish()).describe(
      'once: one connection; multi-use: uses_allowed of them, unlimited without it.',
    ),
    accept: z
      .union([z.literal(true), z.enum(['true', 'auto'])])
      .nullish()
      .describe('Usher answers handshake requests itself, so only auto (true) is possible.'),
    public: z.boolean().nullish().describe('A public invitation is unlimited unless uses_allowed says otherwise.'),
    invitation_role: unset(z.string().nullish()).describe('The role the invitee gets on accepting.'),
    invitation_label: unset(z.string().nullish()).describe(
      "The label the invitee sees; the identity's name when omitted.",
    ),
    invitation_status: unset(z.enum(['active', 'pending']).nullish()).describe(
      'A new invitation is always active (pending).',
    ),
    invitation_description: unset(z.string().nullish()),
    purpose: unset(z.string().nullish()).describe('Unique per tenant: a taken purpose is refused with 400.'),
    invitation_active_starting_at: unset(z.string().nullish()).describe('ISO-8601 with offset; not accepted before.'),
    invitation_active_ending_at: unset(z.string().nullish()).describe(
      "ISO-8601 with offset; the tenant's default expiry when omitted.",
    ),
    uses_allowed: unset(z.number().nullish()),
  })
  .openapi('ProvenCreateInvitation');
export type CreateBody = z.infer<typeof CreateBodySchema>;

/** PUT /api/v1/invitations/{invitation_id} body; workflow_status inactive revokes. */
export const UpdateBodySchema = z
  .strictObject({
    // The spec gives workflow_status no enum: any string is taken; Usher acts on two of them (service.ts).
    workflow_status: z
      .string()
      .max(64)
      .optional()
      .describe(
        'inactive revokes the invitation (for good); active keeps an open one as it is; other values change nothing.',
      ),
    description: z.string().nullable().optional(),
    purpose: z.string().nullable().optional(),
    active_starting_at: z.string().nullable().optional(),
    active_ending_at: z.string().optional(),
    uses_allowed: z.number().nullable().optional().describe('null: unlimited.'),
  })
  .refine((body) => Object.values(body).some((v) => v !== undefined), 'give at least one field to change')
  .openapi('ProvenUpdateInvitation');
export type UpdateBody = z.infer<typeof UpdateBodySchema>;

/** POST /api/v1/invitations/accept body. */
export const AcceptBodySchema = z
  .strictObject({
    invitation_url: unset(z.string().min(1).max(16_384)).describe("Another agent's ?oob= or ?c_i= URL."),
  })
  .openapi('ProvenAcceptInvitation');

/** The invitation record every Proven operation shows. */
export const ProvenInvitationSchema = z
  .object({
    invitation_id: z.number().int().describe("Usher's server-wide invitation number."),
    invitation_type: z.literal('OOB'),
    invitation_url: z.string().nullable().describe('Null for invitations we received: their URL is not kept.'),
    contact_id: z.string().nullable(),
    handshake_protocol: z.string().nullable().describe('The first (preferred) handshake offered, as a URI.'),
    alias: z.string().nullable(),
    invitation_mode: z.enum(['once', 'multi-use']),
    accept: z.literal('auto'),
    public: z.boolean(),
    invitation_role: z.string().nullable(),
    invitation_label: z.string().nullable(),
    invitation_status: z.enum(INVITATION_STATUSES).describe("Usher's status as of now."),
    workflow_status: z.enum(['active', 'inactive']).describe('active while the invitation can still be used.'),
    invitation_description: z.string().nullable(),
    purpose: z.string().nullable(),
    invitation_active_starting_at: z.string().nullable(),
    invitation_active_ending_at: z.string(),
    uses_allowed: z.number().int().nullable().describe('null: unlimited.'),
    uses_count: z.number().int(),
    their_role: z
      .enum(['invitee', 'inviter'])
      .describe('invitee: we invited them; inviter: we accepted their invitation.'),
    usher_id: z.string().describe("The id on Usher's native API (/v1/invitations/{id})."),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('ProvenInvitation');
export type ProvenInvitation = z.infer<typeof ProvenInvitationSchema>;

/** The accept answer's record: the invitation we accepted, and the connection the handshake runs on. */
export const AcceptedRecordSchema = ProvenInvitationSchema.extend({
  connection_id: z.string(),
  rfc23_state: z.string().describe('request-sent until the inviter answers.'),
  connection_protocol: z.string(),
  their_label: z.string().nullable(),
  invitation_msg_id: z.string().nullable(),
}).openapi('ProvenAcceptedInvitation');

/** Proven's list answer: the effective query, the total and one page. */
export const ListResultSchema = z.object({
  invitations: z.object({
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.null()]))
      .describe('The effective query, by parameter name.'),
    count: z.number().int().describe('How many match, on every page.'),
    rows: z.array(ProvenInvitationSchema),
  }),
});

/** The create answer: the invitation's number and URL, and the contact its connection will belong to. */
export const CreatedSchema = z.object({
  invitation_url: z.string(),
  invitation_id: z.number().int(),
  contact_id: z.string().describe('The contact given, or the one made with the invitation when none was.'),
});
export const AcceptedSchema = z.object({ success: z.literal(true), invitation_record: AcceptedRecordSchema });
export const InvitationResultSchema = z.object({ invitation: ProvenInvitationSchema });
export const UpdatedSchema = z.object({ updatedInvitation: ProvenInvitationSchema });
export const DeletedSchema = z.object({ success: z.string() });

export const ErrorSchema = z.object({ error: z.string(), code: z.string().optional() }).openapi('ProvenError');
export const WarningSchema = z.object({ warning: z.string() }).openapi('ProvenWarning');
export const InvitationIdParam = z.object({
  invitation_id: z.string().openapi({ param: { name: 'invitation_id', in: 'path' } }),
});
export const PurposeParam = z.object({
  purpose: z
    .string()
    .max(1000)
    .openapi({ param: { name: 'purpose', in: 'path' } }),
});
