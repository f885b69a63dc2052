/**
 * did:key for Ed25519 (W3C CCG did:key §3.1, §4 "Ed25519" with the derived X25519 key agreement key),
 * and the verkey ↔ did:key mapping RFC 0434 uses for `recipientKeys` / `routingKeys`
 * (Aries RFC 0360 "did:key usage").
 */
import { ed25519PublicToX25519 } from './crypto-box';
import type { DidDocument } from './did-document';
import { decodeBase58, decodeMultikey, encodeBase58, encodeMultikey } from './encoding';
import { didcommError } from './errors';

/** `did:key:z6Mk…` for a base58 Ed25519 verkey. */
export function verkeyToDidKey(verkey: string): string {
  let publicKey: Uint8Array;
  try {
    publicKey = decodeBase58(verkey);
  } catch {
    throw didcommError('key_invalid', 'A verkey is base58', 'verkey');
  }
  if (publicKey.length !== 32) throw didcommError('key_invalid', 'An Ed25519 verkey is 32 bytes', 'verkey');
  return `did:key:${encodeMultikey({ type: 'Ed25519', publicKey })}`;
}

/** The base58 verkey inside an Ed25519 `did:key` (a `#fragment`, as in routing keys, is ignored). */
export function didKeyToVerkey(didKey: string): string {
  return encodeBase58(didKeyPublicKey(didKey));
}

/** The raw Ed25519 public key of a `did:key` (with or without fragment); refuses other key types. */
export function didKeyPublicKey(didKey: string): Uint8Array {
  const match = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)(#.*)?$/.exec(didKey);
  if (!match) throw didcommError('did_malformed', `Not a did:key: ${didKey}`);
  const key = decodeMultikey(match[1]!);
  if (!key) throw didcommError('did_malformed', 'The did:key does not hold a 32-byte key');
  if (key.type !== 'Ed25519')
    throw didcommError('did_unsupported', 'Only Ed25519 did:key values carry a DIDComm v1 verkey');
  return key.publicKey;
}

/** The DID document of an Ed25519 did:key: the key for signing, its X25519 twin for key agreement. */
export function resolveDidKey(did: string): DidDocument {
  const publicKey = didKeyPublicKey(did);
  if (did.includes('#')) throw didcommError('did_malformed', 'Resolve the DID, not a DID URL');
  let agreement: string;
  try {
    agreement = encodeMultikey({ type: 'X25519', publicKey: ed25519PublicToX25519(publicKey) });
  } catch {
    throw didcommError('did_malformed', 'The did:key is not a valid Ed25519 point');
  }
  const signing = did.slice('did:key:'.length);
  const method = (multibase: string) => ({
    id: `${did}#${multibase}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: multibase,
  });
  const signingId = `${did}#${signing}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [method(signing), method(agreement)],
    authentication: [signingId],
    assertionMethod: [signingId],
    capabilityInvocation: [signingId],
    capabilityDelegation: [signingId],
    keyAgreement: [`${did}#${agreement}`],
    service: [],
  };
}
