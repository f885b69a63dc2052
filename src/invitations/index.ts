/** Invitations: the core lifecycle, its service and its routes. */
export { invitationError, invitationErrors, type InvitationErrorCode } from './errors';
export {
  actorName,
  apiKeyActor,
  combineSinks,
  noEventSink,
  recordDeliveryEvent,
  type Actor,
  type EventSink,
  type InvitationEvent,
} from './events';
export { pruneIdempotencyKeys } from './idempotency';
export { pruneQuotaWindows } from './quotas';
export { pruneExpiredProofs } from './prune-proofs';
export {
  EVENT_TYPES,
  INVITATION_STATUSES,
  effectiveStatus,
  transition,
  type InvitationStatus,
  type LifecycleAction,
} from './lifecycle';
export { toInvitation, type Channel, type Invitation } from './record';
export { findInvitationRow, getInvitationRow } from './queries';
export {
  countInvitationsByStatusAndChannel,
  countInvitationsReaching,
  findInvitationById,
  findInvitationRows,
} from './reads';
export { findPendingProviderDuplicate } from './reads';
export { unlinkContactFromInvitations } from './contact-links';
export { listPendingByEmail, listPendingOfIdentity, type InvitationScope } from './pending-pages';
export { TOKEN_MAX_LENGTH, invitationUrl, mintInvitationToken } from './tokens';
export { linkForMessage, linkKeyOf, type LinkKey, type LinkUnavailable } from './links';
export { EMAIL_CODE_TTL_MS, findEmailCodeMail } from './email-proofs';
export type { ChannelAdapter, ChannelDefinition, PrepareContext, ResolvedRecipient } from './channel-definition';
export { createChannelRegistry, type ChannelRegistry } from './channel-registry';
export { linkChannel } from './link-channel';
export type { IncomingInvitationInput } from './incoming';
export type { Redemption } from './redeem';
export {
  createInvitationService,
  type InvitationService,
  type InvitationWithUrl,
  type JoinRequestAnswer,
} from './service';
export type { PublicInvitation } from './public-view';
export { createInvitationRoutes } from './routes';
export { createPublicInvitationRoutes } from './public-routes';
export { AcceptResultSchema, type AcceptorInput } from './public-schemas';
export { JoinRequestAnswerSchema } from './join-request-schemas';
export { createJoinRequestRoutes } from './join-request-routes';
export type { JoinRequest } from './join-requests';
export {
  DeliveryChannelStateSchema,
  InvitationFieldsSchema,
  type CreateInvitationInput,
  type DeliveryChannelState,
} from './schemas';
