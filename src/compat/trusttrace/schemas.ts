import { z } from '@hono/zod-openapi';
import { TOKEN_MAX_LENGTH } from '#invitations';

/** `POST /api/v1/invitation`, as the seed sends it. */
export const CreateActionSchema = z
  .strictObject({
    config: z
      .strictObject({
        contactUuid: z
          .string()
          .max(64)
          .optional()
          .describe("The contact to invite; without it, the tenant's contact for `email`, made if there is none."),
        email: z
          .email()
          .max(254)
          .optional()
          .describe("Where the invitation email goes; the contact's email when omitted."),
        inviteName: z
          .string()
          .trim()
          .max(200)
          .optional()
          .describe("The name the invitee is greeted with (and a new contact's name)."),
      })
      .refine((config) => config.contactUuid !== undefined || config.email !== undefined, {
        message: 'name the contact (contactUuid) or its address (email)',
        path: ['contactUuid'],
      }),
    from: z.string().max(64).describe("The inviting identity's uuid."),
  })
  .openapi('TrustTraceCreateInvitation');

export type CreateActionInput = z.infer<typeof CreateActionSchema>;

/** `POST /api/v1/invitation/accept`: technical automation accepting with the token the invitation email carries. */
export const AcceptActionSchema = z
  .strictObject({
    token: z
      .string()
      .min(1)
      .max(TOKEN_MAX_LENGTH)
      .describe('The invitation token: config.authorization without "Bearer " (a JWT), or the emailed link\'s end.'),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .openapi('TrustTraceAcceptInvitation');

export const UuidParam = z.object({
  uuid: z
    .string()
    .max(64)
    .openapi({ param: { name: 'uuid', in: 'path' } }),
});
