import type { ChannelDefinition } from './channel-definition';

/**
 * The shareable link: the core's own channel. Nothing is sent; whoever holds the link (or its QR
 * code) may accept, as often as `usesAllowed` allows.
 */
export const linkChannel: ChannelDefinition = {
  name: 'link',
  summary: 'a link (and its QR code) you share yourself.',
  mintsLink: true,
};
