import { z } from '@hono/zod-openapi';
import { CONNECTION_STATES } from './connections';
import { MEDIATOR_STATES } from './mediators';
import { PEER_DID_METHODS } from './peer-identity';

export const ConnectionSchema = z
  .object({
    id: z.string(),
    identityId: z.string().describe('Our identity in this connection.'),
    invitationId: z
      .string()
      .nullable()
      .describe('Our outgoing invitation it redeemed (inviter), or the incoming one we accepted (invitee).'),
    contactId: z.string().nullable().describe('The contact it is linked to, made on first contact with their DID.'),
    role: z.enum(['inviter', 'invitee']),
    protocol: z.enum(['didexchange/1.1', 'didexchange/1.0', 'connections/1.0']),
    state: z
      .enum(CONNECTION_STATES)
      .describe(
        'RFC 0023 states: request-sent and response-sent while the handshake runs, then completed or abandoned.',
      ),
    theirDid: z.string().nullable(),
    theirLabel: z.string().nullable(),
    alias: z
      .string()
      .nullable()
      .describe("Our own name for the connection: the invitation's alias, or the one given when accepting."),
    ourDid: z.string(),
    threadId: z.string().describe("The handshake thread: the request's @id."),
    invitationMessageId: z.string().nullable().describe("The out-of-band invitation's @id."),
    error: z
      .object({ code: z.string(), explain: z.string() })
      .nullable()
      .describe('The problem report that abandoned it.'),
    lastPingAt: z.string().nullable(),
    lastPingResponseAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Connection');

export const AcceptInvitationUrlSchema = z
  .strictObject({
    invitationUrl: z
      .string()
      .min(1)
      .max(16_384)
      .describe('An invitation URL with ?oob= (RFC 0434) or ?c_i= (RFC 0160).'),
    identityId: z.string().max(64).optional().describe('Who accepts; the default identity when omitted.'),
    label: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe("The label the inviter sees; the identity's display name when omitted."),
    alias: z.string().trim().min(1).max(200).optional().describe('Our own name for the connection.'),
    didMethod: z
      .enum(PEER_DID_METHODS)
      .optional()
      .describe('Our connection DID for DID Exchange: did:peer:2 by default, or did:peer:4 (long form).'),
  })
  .openapi('AcceptInvitationUrl');

export const ConnectionQuerySchema = z.strictObject({
  state: z.enum(CONNECTION_STATES).optional(),
  role: z.enum(['inviter', 'invitee']).optional(),
  invitationId: z.string().max(64).optional(),
  identityId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional().describe('Page size, 50 by default.'),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page.'),
});

export const ConnectionPageSchema = z
  .object({ data: z.array(ConnectionSchema), nextCursor: z.string().nullable() })
  .openapi('ConnectionPage');

export const ConnectionIdParam = z.object({
  id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export const MediatorSchema = z
  .object({
    id: z.string(),
    connectionId: z.string().describe('Our connection to the mediator.'),
    state: z
      .enum(MEDIATOR_STATES)
      .describe(
        'connecting while the handshake runs, requested once mediate-request is sent (RFC 0211), then granted or denied.',
      ),
    endpoint: z.string().nullable().describe('From the grant: the endpoint new invitations and connection DIDs carry.'),
    routingKeys: z
      .array(z.string())
      .describe("From the grant: the mediator's routing keys (base58), which others wrap forwards to."),
    keys: z
      .object({ requested: z.number().int(), registered: z.number().int(), refused: z.number().int() })
      .describe('Our keys by their keylist state with the mediator.'),
    lastPickupAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Mediator');

export const MediatorListSchema = z.object({ data: z.array(MediatorSchema) }).openapi('MediatorList');

/**
 * The mediator's invitation URL, and who connects to it: accepting any invitation, minus the DID options (the
 * connection is direct).
 */
export const RequestMediationSchema = AcceptInvitationUrlSchema.pick({
  invitationUrl: true,
  identityId: true,
  label: true,
}).openapi('RequestMediation');

export const PickupResultSchema = z
  .object({
    delivered: z.number().int().describe('Envelopes the mediator delivered.'),
    refused: z.number().int().describe('Of those, how many were refused when processed.'),
    remaining: z.number().int().describe('What the mediator says it still holds.'),
  })
  .openapi('PickupResult');
