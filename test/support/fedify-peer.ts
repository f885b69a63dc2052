/**
 * An independent ActivityPub server for tests: Fedify's own federation, with its in-memory
 * store and two actors (`peer`, and `other` for tests that need a second one), listening on
 * 127.0.0.1. Its inbox listeners run only for activities Fedify verified, so an activity in
 * `received` is one whose signature Fedify accepted. With `proofsOnly`, the HTTP signature is
 * taken off each inbox request before Fedify sees it: then only an Object Integrity Proof that
 * Fedify verified can get an activity into `received`.
 */
import { serve, type ServerType } from '@hono/node-server';
import { createFederation, generateCryptoKeyPair, MemoryKvStore, type Federation } from '@fedify/fedify';
import {
  Accept,
  Endpoints,
  Invite,
  isActor,
  Person,
  Reject,
  TentativeAccept,
  Undo,
  type Activity,
  type Actor,
} from '@fedify/fedify/vocab';
import type { AddressInfo } from 'node:net';

/** An activity the peer's inbox accepted, with its JSON as Fedify read it and as it arrived. */
export interface ReceivedActivity {
  readonly type: string;
  readonly id: string | null;
  readonly actor: string | null;
  readonly objectId: string | null;
  readonly targetId: string | null;
  readonly json: Record<string, unknown>;
  /** The request body exactly as sent, parsed. */
  readonly body: Record<string, unknown> | null;
}

/** One of the peer's actors: its IRI and key pairs (RSA first, then Ed25519), with Fedify's ids for them. */
export interface PeerActor {
  readonly actor: string;
  readonly keys: CryptoKeyPair[];
  /** The RSA key's id, for HTTP signatures. */
  readonly keyId: string;
  /** The Ed25519 Multikey's id, as Fedify names it in the actor's `assertionMethod`, for proofs. */
  readonly multikeyId: string;
}

export interface FedifyPeer extends PeerActor {
  readonly url: string;
  /** The peer's `user@host` handle. */
  readonly handle: string;
  /** A second actor on the same server. */
  readonly other: PeerActor;
  readonly received: ReceivedActivity[];
  /** The peer's inbox URL. */
  readonly inbox: string;
  /** Serves a JSON-LD document at `path` on the peer (a key document, say). */
  publish(path: string, document: unknown): string;
  /** Fetches a remote actor with Fedify's own loader. */
  lookupActor(iri: string): Promise<Actor>;
  /**
   * Sends one activity to a remote actor's inbox, signed by Fedify (HTTP signature, Object Integrity Proof, LD
   * signature).
   */
  send(recipient: Actor, activity: Activity): Promise<void>;
  /** The peer's vocabulary, so tests build activities with the peer's own classes. */
  readonly vocab: {
    Accept: typeof Accept;
    Invite: typeof Invite;
    Reject: typeof Reject;
    TentativeAccept: typeof TentativeAccept;
    Undo: typeof Undo;
  };
  /** Waits for an activity matching `predicate`. */
  waitFor(predicate: (activity: ReceivedActivity) => boolean, timeoutMs?: number): Promise<ReceivedActivity>;
  close(): Promise<void>;
}

export interface FedifyPeerOptions {
  /** Take HTTP signatures off inbox requests, so Fedify must authenticate each activity by its proof. */
  readonly proofsOnly?: boolean;
}

const IDENTIFIERS = ['peer', 'other'] as const;

/** Starts the peer on a free loopback port. */
export async function startFedifyPeer(options: FedifyPeerOptions = {}): Promise<FedifyPeer> {
  const keys: Record<string, CryptoKeyPair[]> = {};
  for (const identifier of IDENTIFIERS)
    keys[identifier] = [await generateCryptoKeyPair('RSASSA-PKCS1-v1_5'), await generateCryptoKeyPair('Ed25519')];
  const received: ReceivedActivity[] = [];
  const bodies = new Map<string, Record<string, unknown>>();
  const documents = new Map<string, unknown>();
  let federation!: Federation<void>;
  const server: ServerType = serve({ fetch: (request) => handle(request), hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (request.method === 'GET' && documents.has(path))
      return new Response(JSON.stringify(documents.get(path)), { headers: { 'content-type': 'application/ld+json' } });
    if (request.method === 'POST' && path.endsWith('/inbox')) {
      const text = await request.text();
      const body = parseObject(text);
      if (body && typeof body.id === 'string') bodies.set(body.id, body);
      const headers = new Headers(request.headers);
      if (options.proofsOnly)
        for (const name of ['signature', 'signature-input', 'authorization']) headers.delete(name);
      request = new Request(request.url, { method: 'POST', headers, body: text });
    }
    return federation.fetch(request, { contextData: undefined });
  }

  federation = createFederation<void>({ kv: new MemoryKvStore(), origin: url, allowPrivateAddress: true });
  federation
    .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
      if (!(identifier in keys)) return null;
      const pairs = await ctx.getActorKeyPairs(identifier);
      return new Person({
        id: ctx.getActorUri(identifier),
        preferredUsername: identifier,
        name: identifier === 'peer' ? 'Fedify peer' : 'Fedify other',
        inbox: ctx.getInboxUri(identifier),
        endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
        publicKey: pairs[0]?.cryptographicKey ?? null,
        assertionMethods: pairs.map((pair) => pair.multikey),
      });
    })
    .setKeyPairsDispatcher(async (_ctx, identifier) => keys[identifier] ?? []);
  const record = async (activity: Activity) => {
    const id = activity.id?.href ?? null;
    received.push({
      type: activity.constructor.name,
      id,
      actor: activity.actorId?.href ?? null,
      objectId: activity.objectId?.href ?? null,
      targetId: (activity as Invite).targetId?.href ?? null,
      json: (await activity.toJsonLd({ format: 'compact' })) as Record<string, unknown>,
      body: (id && bodies.get(id)) || null,
    });
  };
  federation
    .setInboxListeners('/users/{identifier}/inbox', '/inbox')
    .on(Invite, (_ctx, activity) => record(activity))
    .on(Undo, (_ctx, activity) => record(activity))
    .on(Accept, (_ctx, activity) => record(activity))
    .on(TentativeAccept, (_ctx, activity) => record(activity))
    .on(Reject, (_ctx, activity) => record(activity));
  const context = () => federation.createContext(new URL(url), undefined);
  const actorOf = (identifier: string): PeerActor => {
    const actor = `${url}/users/${identifier}`;
    // Fedify's ids: CryptographicKeys #main-key, #key-2, …; Multikeys #multikey-1, #multikey-2, …
    return { actor, keys: keys[identifier]!, keyId: `${actor}#main-key`, multikeyId: `${actor}#multikey-2` };
  };
  const peer = actorOf('peer');
  return {
    ...peer,
    url,
    handle: `peer@${new URL(url).host}`,
    other: actorOf('other'),
    received,
    inbox: `${peer.actor}/inbox`,
    publish(path, document) {
      documents.set(path, document);
      return `${url}${path}`;
    },
    async lookupActor(iri) {
      const found = await context().lookupObject(iri);
      if (!isActor(found)) throw new Error(`${iri} is not an actor`);
      return found;
    },
    send: (recipient, activity) =>
      context().sendActivity({ identifier: 'peer' }, recipient, activity, { immediate: true }),
    vocab: { Accept, Invite, Reject, TentativeAccept, Undo },
    async waitFor(predicate, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = received.find(predicate);
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(
        `the Fedify peer never received it; it has: ${JSON.stringify(received.map((r) => [r.type, r.id]))}`,
      );
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
