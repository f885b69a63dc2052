/**
 * DID resolution for DIDComm connections: did:key (Ed25519) and did:peer numalgo 2 and 4, all
 * resolved locally — none of them needs the network (peer DID spec §CRUD "Read").
 */
import type { DidDocument } from './did-document';
import { resolveDidKey } from './did-key';
import { didcommError } from './errors';
import { resolvePeerDid2, resolvePeerDid4 } from './peer-dids';

export { didKeyPublicKey, didKeyToVerkey, verkeyToDidKey } from './did-key';
export { createPeerDid2, createPeerDid4, peerDid4ShortForm, type PeerDid4, type PeerDidOptions } from './peer-dids';

/** Options for {@link resolveDid}. */
export interface ResolveDidOptions {
  /** The long form of a short-form did:peer:4 seen earlier (e.g. stored with the connection); none by default. */
  readonly longFormOf?: (shortForm: string) => string | undefined;
}

/**
 * The DID document of a `did:key`, `did:peer:0`, `did:peer:2` or `did:peer:4` (long form, or short
 * form when `longFormOf` knows it). Other methods and malformed DIDs are refused with a typed error.
 */
export function resolveDid(did: string, options: ResolveDidOptions = {}): DidDocument {
  if (did.startsWith('did:key:')) return resolveDidKey(did);
  // §Method 0: "functionally equivalent to a did:key value".
  if (did.startsWith('did:peer:0')) return withId(resolveDidKey(`did:key:${did.slice('did:peer:0'.length)}`), did);
  if (did.startsWith('did:peer:2')) return resolvePeerDid2(did);
  if (did.startsWith('did:peer:4')) {
    if (did.includes(':', 'did:peer:4'.length)) return resolvePeerDid4(did);
    const longForm = options.longFormOf?.(did);
    if (longForm === undefined || !longForm.startsWith(`${did}:`)) {
      throw didcommError('did_unsupported', 'A short-form did:peer:4 resolves only from its long form, seen earlier');
    }
    return resolvePeerDid4(longForm, 'short');
  }
  if (!/^did:[a-z0-9]+:./.test(did)) throw didcommError('did_malformed', `Not a DID: ${did.slice(0, 40)}`);
  throw didcommError('did_unsupported', `Unsupported DID method: ${did.split(':', 2).join(':')}`);
}

// Re-roots a did:key document on the equivalent did:peer:0 identifier.
function withId(document: DidDocument, did: string): DidDocument {
  const from = document.id;
  const swap = <T>(value: T): T => JSON.parse(JSON.stringify(value).split(from).join(did)) as T;
  return swap(document);
}
