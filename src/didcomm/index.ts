/** DIDComm v1 foundations: RFC 0019 envelopes, did:key and did:peer (2, 4), typed errors. The front door of the capability. */
export { packMessage, unpackMessage, envelopeRecipients, type UnpackedMessage } from './envelope';
export type { Ed25519KeyPair } from './crypto-box';
export {
  createPeerDid2,
  createPeerDid4,
  didKeyPublicKey,
  didKeyToVerkey,
  peerDid4ShortForm,
  resolveDid,
  verkeyToDidKey,
  type PeerDid4,
  type PeerDidOptions,
  type ResolveDidOptions,
} from './dids';
export {
  didcommServices,
  findVerificationMethod,
  verificationMethodKey,
  type DidCommService,
  type DidDocument,
  type DidService,
  type VerificationMethod,
  type VerificationReference,
} from './did-document';
export type { KeyType, TypedKey } from './encoding';
export { didcommError, didcommErrors } from './errors';
