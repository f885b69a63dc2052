import { z } from '@hono/zod-openapi';
import type { ChannelDefinition } from './channel-definition';
import { InvitationFieldsSchema, InvitationQueryFieldsSchema, type CreateInvitationInput } from './schemas';

/** The request schemas that name channels, built from the channels a server registers. */
export interface ChannelSchemas {
  /** POST /v1/invitations: `channel`, each channel's options under its name, and the shared fields. */
  readonly create: z.ZodType<CreateInvitationInput, unknown>;
  /** The same object, every field optional: bulk's `defaults`. */
  readonly createDefaults: z.ZodType;
  /** GET /v1/invitations. */
  readonly query: typeof InvitationQueryFieldsSchema;
}

/** Builds the schemas once per registry; the API document shows exactly the registered channels. */
export function buildChannelSchemas(channels: readonly ChannelDefinition[]): ChannelSchemas {
  const names = channels.map((channel) => channel.name) as [string, ...string[]];
  const channelField = z
    .enum(names)
    .default(names.includes('email') ? 'email' : names[0])
    .describe(`How the invitation travels. ${channels.map((c) => `${c.name}: ${c.summary}`).join(' ')}`);
  const options = Object.fromEntries(
    channels.flatMap((c) =>
      c.options ? [[c.name, c.options.optional().describe(`For the ${c.name} channel only.`)]] : [],
    ),
  );
  // channel first, then its options, then the rest: the order the document has always shown.
  const shape = { channel: channelField, ...options, ...InvitationFieldsSchema.shape };
  const create = z.strictObject(shape).openapi('CreateInvitation');
  return {
    create: create as unknown as ChannelSchemas['create'],
    createDefaults: create.partial(),
    query: InvitationQueryFieldsSchema.extend({
      channel: z.enum(names).optional(),
    }) as unknown as typeof InvitationQueryFieldsSchema,
  };
}
