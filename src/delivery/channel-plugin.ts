import type { ChannelDefinition, InvitationService } from '#invitations';
import type { DeliveryHandler } from './delivery-jobs';

/**
 * A channel as the composition root registers it: what invitations need to create its
 * invitations (the definition), and the outbox topics it delivers. Handlers are built once the
 * invitation service exists, since some answer through it (a provider's withdrawal, an inbox).
 */
export interface ChannelPlugin {
  readonly definition: ChannelDefinition;
  readonly handlers?: (invitations: InvitationService) => Readonly<Record<string, DeliveryHandler>>;
}
