import { z } from '@hono/zod-openapi';

export const MembershipSchema = z
  .object({
    id: z.string(),
    target: z.object({ type: z.string(), iri: z.string().nullable(), name: z.string().nullable() }),
    member: z.object({
      key: z.string().describe('email:…, did:…, actor:…, contact:… or subject:…'),
      email: z.string().nullable(),
      did: z.string().nullable(),
      actorIri: z.string().nullable(),
      subject: z.string().nullable(),
      name: z.string().nullable(),
      contactId: z.string().nullable(),
    }),
    role: z.string().nullable().describe('null: no permissions until granted.'),
    rules: z.array(z.string()),
    invitationId: z.string().describe('The invitation that last granted it.'),
    acceptedEmail: z
      .string()
      .nullable()
      .describe(
        'The address that accepted an email invitation when it was not the invited one (member.email); else null.',
      ),
    emailMismatch: z
      .boolean()
      .describe('True when the invitation was accepted with another address than the invited one.'),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Membership');

export const MembershipQuerySchema = z.strictObject({
  target: z.string().max(2048).optional().describe('"tenant" or a target IRI.'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(512).optional(),
});
