/**
 * TrustTrace's "action" record of an invitation (seed 000, "Invite a Contact"), built from a
 * didcomm invitation: `config` and `data` are JSON strings, as TrustTrace sends them, and `data`
 * carries the DIDComm invitation (recipient key, the inviting identity's DID, the invitation's
 * @id, the `/api/didcomm` endpoint).
 */
import type { Invitation } from '#invitations';
import type { Identity } from '#tenants';

/** What the action needs besides the invitation. */
export interface ActionContext {
  readonly tenantId: string;
  readonly identity: Identity;
  readonly verkey: string;
  readonly endpoint: string;
  /** The signed bearer (bearer-token.ts): shown once, in the create response, as TrustTrace shows its own. */
  readonly token: string | null;
  readonly inviteName: string | null;
}

const STATUS: Readonly<Record<Invitation['status'], string>> = {
  pending: 'ACTIVE',
  tentative: 'ACTIVE',
  accepted: 'ACCEPTED',
  declined: 'DECLINED',
  revoked: 'REVOKED',
  expired: 'EXPIRED',
  exhausted: 'ACCEPTED',
};

/** The action record for a didcomm invitation. */
export function toAction(invitation: Invitation, context: ActionContext) {
  const config = {
    ...(context.token ? { authorization: `Bearer ${context.token}` } : {}),
    contactUuid: invitation.recipient.contactId,
    email: invitation.recipient.email,
    inviteName: context.inviteName,
  };
  const data = {
    endpoint: invitation.recipient.email,
    invitation: {
      recipientKeys: [context.verkey],
      from: context.identity.did,
      '@id': invitation.id,
      serviceEndpoint: context.endpoint,
    },
    invitationId: invitation.id,
    parentthreadid: invitation.id,
    protocol: 'DIDCOMM',
  };
  return {
    principalUuid: context.tenantId,
    from: invitation.identityId,
    to: '',
    type: 'INVITATION',
    typeVersion: '1',
    direction: invitation.direction === 'outgoing' ? 'OUTGOING' : 'INCOMING',
    referenceID: invitation.id,
    config: JSON.stringify(config),
    status: STATUS[invitation.status],
    typeStatus: '',
    data: JSON.stringify(data),
    createdBy: null,
    updatedBy: null,
    tags: null,
    createdAt: invitation.createdAt,
    updatedAt: invitation.updatedAt,
    uuid: invitation.id,
  };
}

/** TrustTrace's identity record (`GET /api/v1/identity/all`). */
export function toIdentityHit(identity: Identity) {
  return {
    createdBy: null,
    createdAt: identity.createdAt,
    updatedBy: null,
    updatedAt: identity.updatedAt,
    uuid: identity.id,
    did: identity.did,
    method: identity.did.split(':').slice(0, 2).join(':'),
    keyMethod: '',
    status: identity.status === 'active' ? 'ACTIVE' : 'DISABLED',
    tags: '',
    displayName: identity.displayName,
  };
}
