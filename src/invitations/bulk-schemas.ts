import { z } from '@hono/zod-openapi';
import type { ChannelSchemas } from './channel-schemas';
import { InvitationWithUrlSchema } from './schemas';

/** At most this many invitations per bulk call: enough for an import batch, short enough for one transaction. */
export const BULK_MAX_ITEMS = 5000;

const CREATE_INVITATION_REF = { type: 'object', allOf: [{ $ref: '#/components/schemas/CreateInvitation' }] } as const;

/**
 * Items are checked one by one in the service, so one bad row is reported as `invalid` instead of
 * refusing the whole call. The document still names CreateInvitation, so clients are typed.
 */
const BulkItem = z.custom<unknown>(() => true).openapi(CREATE_INVITATION_REF as never);

/** The bulk body, for the channels a server registers (its defaults name their options). */
export function bulkCreateSchemaOf(schemas: Pick<ChannelSchemas, 'createDefaults'>) {
  return z
    .strictObject({
      defaults: schemas.createDefaults
        .optional()
        .describe(
          "Fields applied under every item; an item's own fields win, and recipient and metadata are merged key by key.",
        ),
      items: z
        .array(BulkItem)
        .min(1)
        .max(BULK_MAX_ITEMS)
        .describe(`1 to ${BULK_MAX_ITEMS} invitations, each as for POST /v1/invitations.`),
    })
    .openapi('BulkCreateInvitations');
}

export interface BulkCreateInvitationsInput {
  readonly defaults?: unknown;
  readonly items: readonly unknown[];
}

const ItemProblem = z.object({
  code: z
    .string()
    .describe('The problem code POST /v1/invitations would have answered, e.g. validation_failed or purpose_taken.'),
  detail: z.string(),
  field: z
    .string()
    .nullable()
    .describe('The field at fault, from the request body, e.g. body.items.3.recipient.email.'),
  quota: z
    .object({
      subject: z.enum(['key', 'inviter']),
      id: z.string().describe("The API key's id or the invitedBy.id."),
      period: z.enum(['hour', 'day']),
      limit: z.number().int(),
    })
    .optional()
    .describe('With invite_quota_exceeded: the quota this item was over.'),
  retryAfterSeconds: z.number().int().optional().describe('With invite_quota_exceeded: when the quota frees a slot.'),
});

export const BulkItemResultSchema = z
  .object({
    index: z.number().int().describe("The item's position in `items`, from 0."),
    outcome: z.enum(['created', 'duplicate', 'invalid']),
    invitation: InvitationWithUrlSchema.optional().describe(
      'When created: the invitation and its link (null on an idempotent replay).',
    ),
    existingInvitationId: z
      .string()
      .optional()
      .describe('When duplicate: the pending invitation this recipient already has for the target.'),
    problem: ItemProblem.optional().describe('When invalid: why.'),
  })
  .openapi('BulkItemResult');

export type BulkItemResult = z.infer<typeof BulkItemResultSchema>;
export type BulkItemProblem = z.infer<typeof ItemProblem>;

export const BulkResultSchema = z
  .object({
    summary: z.object({ created: z.number().int(), duplicate: z.number().int(), invalid: z.number().int() }),
    results: z.array(BulkItemResultSchema).describe('One per item, in order.'),
  })
  .openapi('BulkResult');

export type BulkResult = z.infer<typeof BulkResultSchema>;
