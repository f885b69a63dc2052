/**
 * An independent ActivityPub server for tests: Fedify's own federation, with its in-memory
 * store and one actor, listening on 127.0.0.1. Its inbox listeners run only for requests Fedify
 * verified, so an activity in `received` is one whose signature Fedify accepted.
 */
import { serve, type ServerType } from '@hono/node-server';
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Federation } from '@fedify/fedify';
import { Accept, Endpoints, Invite, isActor, Person, Reject, TentativeAccept, Undo, type Activity, type Actor } from '@fedify/fedify/vocab';
import type { AddressInfo } from 'node:net';

/** An activity the peer's inbox accepted, with its JSON as Fedify read it. */
export interface ReceivedActivity {
  readonly type: string;
  readonly id: string | null;
  readonly actor: string | null;
  readonly objectId: string | null;
  readonly targetId: string | null;
  readonly json: Record<string, unknown>;
}

export interface FedifyPeer {
  readonly url: string;
  /** The peer's actor IRI and its `user@host` handle. */
  readonly actor: string;
  readonly handle: string;
  readonly received: ReceivedActivity[];
  /** The peer's RSA and Ed25519 key pairs, for tests that sign by hand. */
  readonly keys: CryptoKeyPair[];
  readonly keyId: string;
  /** Fetches a remote actor with Fedify's own loader. */
  lookupActor(iri: string): Promise<Actor>;
  /** Sends one activity to a remote actor's inbox, signed by Fedify. */
  send(recipient: Actor, activity: Activity): Promise<void>;
  /** The peer's vocabulary, so tests build activities with the peer's own classes. */
  readonly vocab: { Accept: typeof Accept; Invite: typeof Invite; Reject: typeof Reject; TentativeAccept: typeof TentativeAccept; Undo: typeof Undo };
  /** Waits for an activity matching `predicate`. */
  waitFor(predicate: (activity: ReceivedActivity) => boolean, timeoutMs?: number): Promise<ReceivedActivity>;
  close(): Promise<void>;
}

const IDENTIFIER = 'peer';

/** Starts the peer on a free loopback port. */
export async function startFedifyPeer(): Promise<FedifyPeer> {
  const keys = [await generateCryptoKeyPair('RSASSA-PKCS1-v1_5'), await generateCryptoKeyPair('Ed25519')];
  const received: ReceivedActivity[] = [];
  let federation!: Federation<void>;
  const server: ServerType = serve({ fetch: (request) => federation.fetch(request, { contextData: undefined }), hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  federation = createFederation<void>({ kv: new MemoryKvStore(), origin: url, allowPrivateAddress: true });
  federation
    .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
      if (identifier !== IDENTIFIER) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: 'Fedify peer',
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pairs[0]?.cryptographicKey ?? null,
        assertionMethods: pairs.map((pair) => pair.multikey),
      });
    })
    .setKeyPairsDispatcher(async () => keys);
  const record = async (activity: Activity) => {
    received.push({
      type: activity.constructor.name,
      id: activity.id?.href ?? null,
      actor: activity.actorId?.href ?? null,
      objectId: activity.objectId?.href ?? null,
      targetId: (activity as Invite).targetId?.href ?? null,
      json: (await activity.toJsonLd({ format: 'compact' })) as Record<string, unknown>,
    });
  };
  federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .on(Invite, (_ctx, activity) => record(activity))
    .on(Undo, (_ctx, activity) => record(activity))
    .on(Accept, (_ctx, activity) => record(activity))
    .on(Reject, (_ctx, activity) => record(activity));
  const context = () => federation.createContext(new URL(url), undefined);
  const actor = `${url}/users/${IDENTIFIER}`;
  return {
    url,
    actor,
    handle: `${IDENTIFIER}@${new URL(url).host}`,
    received,
    keys,
    keyId: `${actor}#main-key`,
    async lookupActor(iri) {
      const found = await context().lookupObject(iri);
      if (!isActor(found)) throw new Error(`${iri} is not an actor`);
      return found;
    },
    send: (recipient, activity) => context().sendActivity({ identifier: IDENTIFIER }, recipient, activity, { immediate: true }),
    vocab: { Accept, Invite, Reject, TentativeAccept, Undo },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = received.find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the Fedify peer never received it; it has: ${JSON.stringify(received.map((r) => [r.type, r.id]))}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
