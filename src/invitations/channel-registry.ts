import type { ChannelDefinition } from './channel-definition';
import { buildChannelSchemas, type ChannelSchemas } from './channel-schemas';
import { combineSinks, type EventSink } from './events';

/** The channels a server delivers, by name, with the request schemas that name them. */
export interface ChannelRegistry {
  readonly names: readonly string[];
  get(name: string): ChannelDefinition | undefined;
  /** Every channel's sink, in registration order. */
  readonly sink: EventSink;
  readonly schemas: ChannelSchemas;
}

/** One registry per server; a name registered twice is a wiring mistake, refused at start. */
export function createChannelRegistry(channels: readonly ChannelDefinition[]): ChannelRegistry {
  if (channels.length === 0) throw new Error('no channel registered');
  const byName = new Map<string, ChannelDefinition>();
  for (const channel of channels) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(channel.name))
      throw new Error(`channel name ${JSON.stringify(channel.name)}: lowercase letters, digits, -`);
    if (byName.has(channel.name)) throw new Error(`channel ${channel.name} registered twice`);
    byName.set(channel.name, channel);
  }
  return {
    names: [...byName.keys()],
    get: (name) => byName.get(name),
    sink: combineSinks(...channels.flatMap((channel) => (channel.sink ? [channel.sink] : []))),
    schemas: buildChannelSchemas(channels),
  };
}
