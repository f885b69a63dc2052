/**
 * DIDComm v1: out-of-band invitations, DID Exchange and Connections handshakes, trust ping, return routes, mediation
 * (as recipient), RFC 0019 envelopes, did:key and did:peer. The front door of the capability.
 */
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
export { didcommServices, type DidCommService } from './document-services';
export {
  findVerificationMethod,
  verificationMethodKey,
  type DidDocument,
  type DidService,
  type VerificationMethod,
  type VerificationReference,
} from './did-document';
export type { KeyType, TypedKey } from './encoding';
export { didcommError, didcommErrors } from './errors';
export { didcommChannel, invitationMessageOf, type DidcommInvitationPayload } from './channel';
export { DidcommOptionsSchema, type DidcommOptions } from './options';
export { parseInvitationUrl, type ParsedInvitation } from './oob-invitation';
export { createDidcommService, type DidcommService } from './service';
export type { Connection } from './connections';
export type { DidcommOutbox } from './outbound';
export { createConnectionRoutes, createDidcommEndpointRoutes } from './routes';
export { createMediatorRoutes } from './mediator-routes';
export type { Mediator } from './mediators';
export type { PickupResult } from './pickup';
export { pruneHeldMessages } from './held-messages';
export { verifyDidProof } from './did-proof';
