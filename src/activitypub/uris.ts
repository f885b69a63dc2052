/** The IRIs Usher mints for ActivityPub, all under the public URL, and their parsers. */
import { randomUUID } from 'node:crypto';

/** Where each kind of ActivityPub object lives. The actor path is also Fedify's actor dispatcher path. */
export const AP_PATHS = {
  actor: '/ap/users/{identifier}',
  inbox: '/ap/users/{identifier}/inbox',
  outbox: '/ap/users/{identifier}/outbox',
  followers: '/ap/users/{identifier}/followers',
  sharedInbox: '/ap/inbox',
} as const;

/** IRIs under one public URL. */
export function apUris(publicUrl: string) {
  const invitePrefix = `${publicUrl}/ap/invites/`;
  const actorPrefix = `${publicUrl}/ap/users/`;
  return {
    actor: (handle: string) => `${actorPrefix}${encodeURIComponent(handle)}`,
    keyId: (handle: string) => `${actorPrefix}${encodeURIComponent(handle)}#main-key`,
    /**
     * The actor's Ed25519 Multikey, which signs Object Integrity Proofs: Fedify numbers an actor's Multikeys from 1,
     * and it is the second.
     */
    assertionKeyId: (handle: string) => `${actorPrefix}${encodeURIComponent(handle)}#multikey-2`,
    /** An outgoing invitation's Invite activity: its id is the invitation's, so an Accept's object names it. */
    invite: (invitationId: string) => `${invitePrefix}${invitationId}`,
    target: (id: string) => `${publicUrl}/ap/targets/${id}`,
    /** A fresh id for an Accept, Reject, TentativeAccept or Undo we send. */
    activity: () => `${publicUrl}/ap/activities/${randomUUID()}`,
    /** The invitation id behind one of our Invite IRIs, or null. */
    inviteId(iri: string | null | undefined): string | null {
      if (!iri?.startsWith(invitePrefix)) return null;
      const id = iri.slice(invitePrefix.length);
      return /^[0-9a-f-]{36}$/.test(id) ? id : null;
    },
    /** The handle behind one of our actor IRIs, or null. */
    handleOf(iri: string | null | undefined): string | null {
      if (!iri?.startsWith(actorPrefix)) return null;
      const rest = iri.slice(actorPrefix.length);
      return rest.length > 0 && !rest.includes('/') && !rest.includes('#') ? decodeURIComponent(rest) : null;
    },
  };
}

export type ApUris = ReturnType<typeof apUris>;

/** Paths Fedify answers (actors, inboxes, WebFinger, NodeInfo); Invites and targets are Usher's own. */
export function isFederationPath(path: string): boolean {
  return (
    (path.startsWith('/ap/') && !path.startsWith('/ap/invites/') && !path.startsWith('/ap/targets/')) ||
    path === '/.well-known/webfinger' ||
    path === '/.well-known/nodeinfo' ||
    path.startsWith('/nodeinfo/')
  );
}
