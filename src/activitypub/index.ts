/**
 * ActivityPub: identities as actors, Invite / Accept / Reject / TentativeAccept / Undo across servers, on Fedify. The
 * front door of the capability.
 */
export { createActivityPub, type ActivityPubInbound, type ActivityPubOptions } from './activitypub';
export { pruneKv } from './kv-store';
export { readInstrument, buildInvite, type InviteShape } from './activities';
export { apUris, type ApUris } from './uris';
