/**
 * Who the other side says it is in a handshake message, and who we are in return: the DID and
 * document each handshake protocol carries (RFC 0023 `did` + `did_doc~attach`, RFC 0160
 * `connection.{DID, DIDDoc}`), checked against the envelope that brought it.
 */
import type { DidDocument } from './did-document';
import { createPeerDid2, createPeerDid4, resolveDid } from './dids';
import { encodeBase58 } from './encoding';
import { didcommError } from './errors';
import { legacyDidDoc, readDidDocument } from './legacy-did-doc';
import type { HandshakeProtocol, Message } from './messages';
import { serviceOf } from './outbound';
import { routingKeyReference, type Routing } from './routing';
import { attachmentText } from './signatures';

/** The other side of a handshake: their DID, its document, and the verkey their messages come from. */
export interface PeerIdentity {
  readonly did: string;
  readonly document: DidDocument;
  readonly verkey: string;
}

/** The requester's DID and document from a request, refusing one that the envelope's sender does not match. */
export function readRequester(
  message: Message,
  protocol: HandshakeProtocol,
  senderVerkey: string | null,
): PeerIdentity {
  let did: string;
  let document: DidDocument;
  if (protocol === 'connections/1.0') {
    const connection = message.connection as { DID?: unknown; DIDDoc?: unknown } | undefined;
    if (!connection || typeof connection.DID !== 'string')
      throw didcommError('message_malformed', 'A connection request has connection.DID', 'connection');
    did = connection.DID;
    document = readDidDocument(connection.DIDDoc, 'connection.DIDDoc');
  } else {
    if (typeof message.did !== 'string' || message.did.length === 0)
      throw didcommError('message_malformed', 'A DID Exchange request has a did', 'did');
    did = message.did;
    const attached = message['did_doc~attach'];
    // RFC 0023: the document is attached unless the DID resolves on its own (did:peer:2/4, did:key).
    document = attached
      ? readDidDocument(parseJsonText(attachmentText(attached, 'did_doc~attach'), 'did_doc~attach'), 'did_doc~attach')
      : resolveDid(did);
  }
  return checkedPeer(did, document, senderVerkey);
}

/** Checks that the service has keys and that an authcrypt sender is one of them (RFC 0023 §Request processing). */
export function checkedPeer(did: string, document: DidDocument, senderVerkey: string | null): PeerIdentity {
  const service = serviceOf(document);
  if (senderVerkey && !service.recipientKeys.includes(senderVerkey)) {
    throw didcommError('message_malformed', 'The envelope was not sent with a key of the DID it presents', 'did');
  }
  return { did, document, verkey: senderVerkey ?? service.recipientKeys[0]! };
}

/** The peer DID methods Usher makes connection DIDs with. */
export const PEER_DID_METHODS = ['did:peer:2', 'did:peer:4'] as const;
export type PeerDidMethod = (typeof PEER_DID_METHODS)[number];

/**
 * Our side of a new connection: a did:peer (2 by default; 4 in its long form, which carries the
 * whole document) for DID Exchange, an unqualified DID and legacy document for Connections 1.0,
 * each with the service of `routing` (Usher's endpoint, or a mediator's endpoint and routing keys).
 */
export function ourIdentity(
  protocol: HandshakeProtocol,
  publicKey: Uint8Array,
  routing: Routing,
  method: PeerDidMethod = 'did:peer:2',
): { did: string; document: unknown } {
  if (protocol === 'connections/1.0') {
    const { did, didDoc } = legacyDidDoc(publicKey, routing.endpoint, routing.routingKeys);
    return { did, document: didDoc };
  }
  const options = {
    publicKey,
    serviceEndpoint: routing.endpoint,
    routingKeys: routing.routingKeys.map(routingKeyReference),
  };
  const did = method === 'did:peer:4' ? createPeerDid4(options).longForm : createPeerDid2(options);
  return { did, document: resolveDid(did) };
}

/** Answer in kind: a requester that chose did:peer:4 gets one back; anyone else did:peer:2. */
export function methodInKind(theirDid: string): PeerDidMethod {
  return theirDid.startsWith('did:peer:4') ? 'did:peer:4' : 'did:peer:2';
}

/** The verkey of a raw Ed25519 key, base58. */
export function verkeyOf(publicKey: Uint8Array): string {
  return encodeBase58(publicKey);
}

function parseJsonText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw didcommError('message_malformed', `${field} does not hold JSON`, field);
  }
}
