import { z } from '@hono/zod-openapi';

/** The didcomm channel's create options, under `body.didcomm`. */
export const DidcommOptionsSchema = z
  .strictObject({
    handshakeProtocols: z
      .array(z.enum(['didexchange/1.1', 'didexchange/1.0', 'connections/1.0']))
      .min(1)
      .max(3)
      .refine((list) => new Set(list).size === list.length, 'each protocol once')
      .default(['didexchange/1.1'])
      .describe(
        'Offered in this order of preference. ["connections/1.0"] alone gives an RFC 0160 invitation (?c_i=); anything else an RFC 0434 out-of-band one (?oob=).',
      ),
    goalCode: z.string().trim().min(1).max(100).optional().describe('RFC 0434 goal_code, e.g. "aries.rel.build".'),
    goal: z.string().trim().min(1).max(500).optional().describe('RFC 0434 goal, for people.'),
    alias: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Our own name for the connections this invitation makes; never sent to the invitee.'),
    serviceForm: z
      .enum(['inline', 'did'])
      .default('inline')
      .describe(
        'How the out-of-band invitation names its service: an inline did-communication block (default), or a did:peer:2 that carries the same key and endpoint.',
      ),
  })
  .openapi('DidcommOptions');

export type DidcommOptions = z.output<typeof DidcommOptionsSchema>;
