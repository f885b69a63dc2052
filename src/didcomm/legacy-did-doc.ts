/**
 * The DID documents of Connections 1.0 (Aries RFC 0160 §DID Document, RFC 0067): an unqualified
 * Indy-style DID, `publicKey` entries and an `IndyAgent` service. ACA-Py still attaches this shape
 * to DID Exchange messages for unqualified DIDs, so it is read wherever a document arrives.
 */
import { isRecord, normalizeDocument, type DidDocument, type VerificationMethod } from './did-document';
import { encodeBase58 } from './encoding';
import { didcommError } from './errors';

/** Our side of a Connections 1.0 connection: the unqualified DID and its legacy document. */
export function legacyDidDoc(
  publicKey: Uint8Array,
  serviceEndpoint: string,
  routingKeys: readonly string[] = [],
): { did: string; didDoc: Record<string, unknown> } {
  // Indy convention: the DID is the base58 of the verkey's first 16 bytes.
  const did = encodeBase58(publicKey.subarray(0, 16));
  const verkey = encodeBase58(publicKey);
  return {
    did,
    didDoc: {
      '@context': 'https://w3id.org/did/v1',
      id: did,
      publicKey: [{ id: `${did}#1`, type: 'Ed25519VerificationKey2018', controller: did, publicKeyBase58: verkey }],
      authentication: [{ type: 'Ed25519SignatureAuthentication2018', publicKey: `${did}#1` }],
      service: [
        {
          id: `${did};indy`,
          type: 'IndyAgent',
          priority: 0,
          recipientKeys: [verkey],
          routingKeys: [...routingKeys],
          serviceEndpoint,
        },
      ],
    },
  };
}

/** A DID document as it arrives in a message, in the DID Core shape or the legacy one; refuses anything else. */
export function readDidDocument(value: unknown, field: string): DidDocument {
  if (!isRecord(value) || typeof value.id !== 'string')
    throw didcommError('did_malformed', 'The DID document has no id', field);
  if (!Array.isArray(value.publicKey)) return normalizeDocument(value);
  const id = value.id;
  const methods: VerificationMethod[] = value.publicKey.filter(isRecord).map((key) => ({
    id: typeof key.id === 'string' ? key.id : `${id}#1`,
    type: typeof key.type === 'string' ? key.type : 'Ed25519VerificationKey2018',
    controller: typeof key.controller === 'string' ? key.controller : id,
    ...(typeof key.publicKeyBase58 === 'string' ? { publicKeyBase58: key.publicKeyBase58 } : {}),
  }));
  // Legacy authentication entries point at a publicKey by `publicKey`, not `id`.
  const authentication = (Array.isArray(value.authentication) ? value.authentication : [])
    .map((entry) =>
      typeof entry === 'string'
        ? entry
        : isRecord(entry) && typeof entry.publicKey === 'string'
          ? entry.publicKey
          : null,
    )
    .filter((entry): entry is string => entry !== null);
  const { publicKey: _legacy, ...rest } = value;
  return normalizeDocument({ ...rest, verificationMethod: methods, authentication });
}
