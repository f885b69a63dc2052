/**
 * The parts of ActivityPub that need Fedify: the federation (actors, inboxes, keys), the signed
 * sender and remote actor lookups. `activitypub.ts` imports this module only when one of them is first
 * used, because Fedify and its vocabulary take some 80 MB at import (bench), which a server that
 * never federates should not carry.
 */
import type { InvitationService } from '#invitations';
import { lookupRemoteActor, type RemoteActor } from './actor-lookup';
import { createApFederation, type ApFederationOptions } from './federation';
import { attachInbox } from './inbox';
import type { ApKvStore } from './kv-store';
import { federationMiddleware } from './routes';
import { createActivitySender } from './sender';
import type { ApUris } from './uris';

/**
 * What `createFederated` needs: the capability's options, its URIs and KV store, and the invitation service inboxes
 * answer with.
 */
export interface FederatedOptions extends ApFederationOptions {
  readonly logError: (error: unknown) => void;
  readonly uris: ApUris;
  readonly kv: ApKvStore;
  readonly invitations: InvitationService;
}

/** Builds the federation with its inbox listeners, and the sender, middleware and lookup over it. */
export function createFederated(options: FederatedOptions) {
  const federation = createApFederation(options, options.kv);
  attachInbox(federation, options);
  return {
    sender: createActivitySender({ ...options, federation }),
    middleware: federationMiddleware(federation, {
      publicUrl: options.publicUrl,
      kv: options.kv,
      clock: options.clock,
    }),
    lookupActor: (identifier: string): Promise<RemoteActor | null> =>
      lookupRemoteActor(
        federation.createContext(new URL(options.publicUrl), { raw: null }),
        identifier,
        options.allowPrivateNetwork,
      ),
  };
}

export type Federated = ReturnType<typeof createFederated>;
