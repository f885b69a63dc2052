import type { MiddlewareHandler } from 'hono';
import type { ChannelPlugin, DeliveryHandler, OutboxPort } from '#delivery';
import { invitationError, type InvitationService } from '#invitations';
import type { RemoteActor } from './actor-lookup';
import { createActivityPubAdapter } from './channel';
import type { Federated } from './federated';
import type { ApFederationOptions } from './federation';
import { createKvStore } from './kv-store';
import { createApObjectRoutes } from './object-routes';
import { createActivityPubSink } from './sink';
import { apUris, isFederationPath } from './uris';

export interface ActivityPubOptions extends ApFederationOptions {
  readonly logError: (error: unknown) => void;
  readonly outbox: Pick<OutboxPort, 'enqueue'>;
}

/**
 * What ActivityPub serves once the invitation service exists: the inboxes and the sender share one Fedify federation.
 */
export interface ActivityPubInbound {
  readonly sender: DeliveryHandler;
  readonly middleware: MiddlewareHandler;
  /**
   * A fediverse actor by `@user@host` (WebFinger) or IRI, with its display name and handle; null when it cannot be
   * found.
   */
  lookupActor(identifier: string): Promise<RemoteActor | null>;
}

/**
 * The ActivityPub capability in its two halves. The outbound half (the channel: Invite objects,
 * the sink that queues activities) exists before the invitation service; `connect(invitations)`
 * makes the inbound half, whose inboxes answer through that service. Fedify's federation both
 * receives and sends, so the channel's `activitypub.send` handler is the connected sender; Fedify
 * itself is loaded (`federated.ts`) when a federation request, a send or a lookup first needs it.
 */
export function createActivityPub(options: ActivityPubOptions) {
  const uris = apUris(options.publicUrl);
  const kv = createKvStore(options.db, options.engine, options.clock);
  let connected: { readonly invitations: InvitationService; readonly inbound: ActivityPubInbound } | undefined;

  function inboundFor(invitations: InvitationService): ActivityPubInbound {
    let federated: Promise<Federated> | undefined;
    const load = () =>
      (federated ??= import('./federated').then((m) => m.createFederated({ ...options, uris, kv, invitations })));
    return {
      sender: { deliver: async (row) => (await load()).sender.deliver(row) },
      middleware: async (c, next) => (isFederationPath(c.req.path) ? (await load()).middleware(c, next) : next()),
      lookupActor: async (identifier) => (await load()).lookupActor(identifier),
    };
  }

  /** One federation per server: the channel's handler and the HTTP middleware get the same one. */
  function connect(invitations: InvitationService): ActivityPubInbound {
    if (connected && connected.invitations !== invitations)
      throw new Error('ActivityPub connected to a second invitation service');
    connected ??= { invitations, inbound: inboundFor(invitations) };
    return connected.inbound;
  }

  const channel: ChannelPlugin = {
    definition: {
      name: 'activitypub',
      summary: 'an ActivityPub Invite to a fediverse actor (recipient.actorIri or recipient.actorHandle).',
      check: (input, recipient) => {
        if (!recipient.actorIri && !input.recipient?.actorHandle) {
          throw invitationError(
            'recipient_required',
            'an activitypub invitation needs recipient.actorIri, recipient.actorHandle or a contact with an actor',
            'body.recipient.actorIri',
          );
        }
      },
      adapter: createActivityPubAdapter(uris),
      sink: createActivityPubSink({ uris, outbox: options.outbox }),
    },
    handlers: (invitations) => ({ 'activitypub.send': connect(invitations).sender }),
  };

  return { uris, channel, connect, routes: createApObjectRoutes({ db: options.db, uris }) };
}
