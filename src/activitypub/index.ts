/** ActivityPub: identities as actors, Invite / Accept / Reject / TentativeAccept / Undo across servers, on Fedify. The front door of the capability. */
import type { MiddlewareHandler } from 'hono';
import type { DeliveryHandler, OutboxPort } from '#delivery';
import type { EventSink, InvitationService } from '#invitations';
import type { RemoteActor } from './actor-lookup';
import { createActivityPubChannel } from './channel';
import type { Federated } from './federated';
import type { ApFederationOptions } from './federation';
import { createKvStore } from './kv-store';
import { createApObjectRoutes } from './object-routes';
import { createActivityPubSink } from './sink';
import { apUris, isFederationPath } from './uris';

export { pruneKv } from './kv-store';
export { readInstrument, buildInvite, type InviteShape } from './activities';
export { apUris, type ApUris } from './uris';

export interface ActivityPubOptions extends ApFederationOptions {
  readonly logError: (error: unknown) => void;
}

/**
 * The ActivityPub capability, in the order `createApp` needs its parts: the sender for the
 * outbox, the channel and event sink for invitations, then `attach` once the invitation
 * service exists, and the HTTP middleware and routes. Fedify is loaded (`federated.ts`) when a
 * federation request, an activity to send or an actor lookup first needs it, never before.
 */
export function createActivityPub(options: ActivityPubOptions) {
  const uris = apUris(options.publicUrl);
  const kv = createKvStore(options.db, options.engine, options.clock);
  let invitations: InvitationService | undefined;
  let federated: Promise<Federated> | undefined;
  const load = (): Promise<Federated> => {
    if (!invitations) return Promise.reject(new Error('ActivityPub used before attach()'));
    const attached = invitations;
    federated ??= import('./federated').then((m) => m.createFederated({ ...options, uris, kv, invitations: attached }));
    return federated;
  };
  const sender: DeliveryHandler = { deliver: async (row) => (await load()).sender.deliver(row) };
  const middleware: MiddlewareHandler = async (c, next) => (isFederationPath(c.req.path) ? (await load()).middleware(c, next) : next());
  return {
    uris,
    channel: createActivityPubChannel(uris),
    sender,
    // The outbox wakes its worker once the transaction commits: nothing to wake here.
    sink: (outbox: Pick<OutboxPort, 'enqueue'>): EventSink => createActivityPubSink({ uris, outbox }),
    attach: (service: InvitationService) => {
      invitations = service;
    },
    middleware,
    routes: createApObjectRoutes({ db: options.db, uris }),
    /** A fediverse actor by `@user@host` (WebFinger) or IRI, with its display name and handle; null when it cannot be found. */
    lookupActor: async (identifier: string): Promise<RemoteActor | null> => (await load()).lookupActor(identifier),
  };
}
