import { z } from '@hono/zod-openapi';
import { PublicInvitationSchema } from './public-schemas';
import { JOIN_REQUEST_STATUSES } from './join-requests';
import { Timestamp } from './schemas';
import { AcceptInvitationSchema } from './public-schemas';

export const JoinRequestSchema = z
  .object({
    id: z.string(),
    invitationId: z.string(),
    status: z.enum(JOIN_REQUEST_STATUSES),
    member: z.string().describe('The member key an approval admits, e.g. `email:ann@example.com`.'),
    acceptor: AcceptInvitationSchema.describe('Who asked, as they said at accept.'),
    email: z.string().nullable().describe('Where the decision is mailed; null when the requester gave no address.'),
    reason: z.string().nullable().describe('Why it was declined.'),
    membershipId: z.string().nullable().describe('The membership an approval granted.'),
    decidedBy: z.string().nullable(),
    decidedAt: Timestamp.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('JoinRequest');

export const JoinRequestAnswerSchema = z
  .object({
    invitationId: z.string(),
    invitation: PublicInvitationSchema,
    joinRequest: JoinRequestSchema,
  })
  .openapi('JoinRequestAnswer');

export const JoinRequestQuerySchema = z.object({
  status: z.enum(JOIN_REQUEST_STATUSES).optional(),
  invitationId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 50 by default.'),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page, with the same filters.'),
});

export const JoinRequestPageSchema = z
  .object({ data: z.array(JoinRequestSchema), nextCursor: z.string().nullable() })
  .openapi('JoinRequestPage');

export const DeclineJoinRequestSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(1000).optional().describe('Told to the requester.') })
  .openapi('DeclineJoinRequest');
