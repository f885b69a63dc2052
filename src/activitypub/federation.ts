/**
 * The Fedify federation behind `/ap`: every identity is an actor (its handle is its WebFinger
 * name), with RSA and Ed25519 keys, an inbox, an empty outbox and followers collection; NodeInfo
 * says what this server is. Fedify's key-value store is Usher's database, so processes share it.
 */
import { createFederation, type Federation } from '@fedify/fedify';
import { Endpoints, Person } from '@fedify/fedify/vocab';
import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import { countActiveIdentities, findIdentityByHandle } from '#tenants';
import { actorKeyPairs } from './keys';
import { createKvStore, type ApKvStore } from './kv-store';
import { AP_PATHS } from './uris';

/**
 * What each request hands the listeners: the activity exactly as it arrived, before Fedify's vocabulary drops fields.
 */
export interface ApContextData {
  readonly raw: Record<string, unknown> | null;
}

export interface ApFederationOptions {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  /** Usher's public URL: the origin of every actor IRI and WebFinger name. */
  readonly publicUrl: string;
  /** Lets Fedify fetch actors and keys on loopback and private addresses (tests, local federation). */
  readonly allowPrivateNetwork: boolean;
  readonly version: string;
}

/** How long a signed request stays acceptable either side of now: Fedify's and Mastodon's hour. */
export const SIGNATURE_WINDOW = { hours: 1 } as const;

/** Builds the federation with its actors; `attachInbox` adds the listeners once the invitation service exists. */
export function createApFederation(
  options: ApFederationOptions,
  kv: ApKvStore = createKvStore(options.db, options.engine, options.clock),
): Federation<ApContextData> {
  const { db, clock } = options;
  const federation = createFederation<ApContextData>({
    kv,
    origin: new URL(options.publicUrl).origin,
    allowPrivateAddress: options.allowPrivateNetwork,
    signatureTimeWindow: SIGNATURE_WINDOW,
  });

  federation
    .setActorDispatcher(AP_PATHS.actor, async (ctx, identifier) => {
      const identity = await findIdentityByHandle(db, identifier);
      if (!identity || identity.status !== 'active') return null;
      const keys = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: identity.displayName,
        inbox: ctx.getInboxUri(identifier),
        outbox: ctx.getOutboxUri(identifier),
        followers: ctx.getFollowersUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        // RSA for HTTP signatures (draft-cavage, RFC 9421); every key as a Multikey for Object Integrity Proofs.
        publicKey: keys[0]?.cryptographicKey ?? null,
        assertionMethods: keys.map((key) => key.multikey),
        manuallyApprovesFollowers: true,
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => {
      const identity = await findIdentityByHandle(db, identifier);
      return identity ? actorKeyPairs(db, { id: identity.id, tenantId: identity.tenantId }, clock.now()) : [];
    });
  // Invitations are addressed to one actor each, never public: the collections exist and stay empty.
  federation.setOutboxDispatcher(AP_PATHS.outbox, async () => ({ items: [] }));
  federation.setFollowersDispatcher(AP_PATHS.followers, async () => ({ items: [] }));
  federation.setNodeInfoDispatcher('/nodeinfo/2.1', async () => {
    const count = await countActiveIdentities(db);
    return {
      software: { name: 'usher', version: options.version },
      protocols: ['activitypub'],
      usage: { users: { total: count }, localPosts: 0, localComments: 0 },
    };
  });
  return federation;
}
