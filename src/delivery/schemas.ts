import { z } from '@hono/zod-openapi';
import { DeliveryChannelStateSchema } from '#invitations';

const DeliveryState = z
  .enum(['queued', 'retrying', 'sent', 'failed', 'skipped'])
  .describe(
    'queued: waiting for its first attempt or being sent; retrying: an attempt failed (`lastError`) and another is due at `nextAttemptAt`.',
  );

export const DeliverySchema = z
  .object({
    id: z.string(),
    topic: z.string().describe('email.invitation, email.reminder or webhook.'),
    state: DeliveryState,
    invitationId: z.string().nullable(),
    endpointId: z.string().nullable(),
    attempts: z.number().int(),
    nextAttemptAt: z
      .string()
      .nullable()
      .describe('When a queued or retrying delivery is tried next; null once it is settled.'),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    payload: z.unknown().describe('The webhook body; null for email, whose rendering holds the secret link.'),
    log: z.array(
      z.object({
        attempt: z.number().int(),
        startedAt: z.string(),
        finishedAt: z.string(),
        outcome: z.string(),
        responseCode: z.number().int().nullable(),
        response: z.string().nullable().describe('Response body or SMTP reply, truncated.'),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('Delivery');

export const InvitationDeliveriesSchema = z
  .object({
    summary: z.record(z.string(), DeliveryChannelStateSchema).describe('Per channel, the latest message.'),
    data: z.array(DeliverySchema),
  })
  .openapi('InvitationDeliveries');

export const MailboxMessageSchema = z
  .object({
    id: z.string(),
    messageId: z.string(),
    from: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    createdAt: z.string(),
  })
  .openapi('MailboxMessage');

export const IdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
