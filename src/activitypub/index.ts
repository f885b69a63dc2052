/** ActivityPub: identities as actors, Invite / Accept / Reject / TentativeAccept / Undo across servers, on Fedify. The front door of the capability. */
import type { OutboxPort } from '#delivery';
import type { EventSink, InvitationService } from '#invitations';
import { createActivityPubChannel } from './channel';
import { createApFederation, type ApFederationOptions } from './federation';
import { attachInbox } from './inbox';
import { createKvStore } from './kv-store';
import { createApObjectRoutes, federationMiddleware } from './routes';
import { createActivitySender } from './sender';
import { createActivityPubSink } from './sink';
import { apUris } from './uris';
import { lookupRemoteActor, type RemoteActor } from './actor-lookup';

export { pruneKv } from './kv-store';
export { readInstrument, buildInvite, type InviteShape } from './activities';
export { apUris, type ApUris } from './uris';

export interface ActivityPubOptions extends ApFederationOptions {
  readonly logError: (error: unknown) => void;
}

/**
 * The ActivityPub capability, in the order `createApp` needs its parts: the sender for the
 * outbox, the channel and event sink for invitations, then `attach` once the invitation
 * service exists, and the HTTP middleware and routes.
 */
export function createActivityPub(options: ActivityPubOptions) {
  const uris = apUris(options.publicUrl);
  const kv = createKvStore(options.db, options.engine, options.clock);
  const federation = createApFederation(options, kv);
  return {
    uris,
    channel: createActivityPubChannel(uris),
    sender: createActivitySender({ ...options, uris, federation }),
    sink: (outbox: Pick<OutboxPort, 'enqueue' | 'wake'>): EventSink => createActivityPubSink({ uris, outbox, onEnqueued: () => outbox.wake() }),
    attach: (invitations: InvitationService) => attachInbox(federation, { ...options, uris, invitations }),
    middleware: federationMiddleware(federation, { publicUrl: options.publicUrl, kv, clock: options.clock }),
    routes: createApObjectRoutes({ db: options.db, uris }),
    /** A fediverse actor by `@user@host` (WebFinger) or IRI, with its display name and handle; null when it cannot be found. */
    lookupActor: (identifier: string): Promise<RemoteActor | null> =>
      lookupRemoteActor(federation.createContext(new URL(options.publicUrl), { raw: null }), identifier, options.allowPrivateNetwork),
  };
}
