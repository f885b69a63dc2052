/**
 * The `usher` provider: invitations to identities of this server, which is what another Usher's
 * Unipile surface sends. There is nothing to pace or send: the invitee's incoming invitation is
 * recorded in the creating transaction, on the invitee's tenant, so both commit together.
 */
import type { Db, InvitationRow } from '#db';
import { parseJson } from '#common/json';
import type { PrepareContext } from '#invitations';
import { findIdentityById, type Identity } from '#tenants';
import { providerError } from './errors';

/** The provider name of this server's own identities. */
export const LOCAL_PROVIDER = 'usher';

/** What a local provider invitation stores in its payload. */
export interface LocalPayload {
  readonly provider: typeof LOCAL_PROVIDER;
  /** The invitee's incoming invitation. */
  readonly incomingInvitationId: string;
}

const isTargetType = (type: string): type is 'project' | 'event' | 'group' =>
  type === 'project' || type === 'event' || type === 'group';

/** An identity of this server by id, in whichever tenant: the Unipile `provider_id` of a local user. */
export async function findLocalUser(db: Db, id: string) {
  return findIdentityById(db, id, ['id', 'tenant_id', 'handle', 'display_name', 'status']);
}

/** Records the invitee's incoming invitation and returns the outgoing one's payload. */
export async function deliverLocally(
  trx: Db,
  row: InvitationRow,
  inviter: Identity,
  userId: string,
  invitations: Pick<PrepareContext<unknown>, 'recordIncoming'>,
): Promise<LocalPayload> {
  const invitee = await findLocalUser(trx, userId);
  if (!invitee)
    throw providerError(
      'provider_user_not_found',
      `no identity ${userId} on this server`,
      'body.recipient.provider.userId',
    );
  if (invitee.id === inviter.id)
    throw providerError('provider_self_invite', undefined, 'body.recipient.provider.userId');
  // What the inviter invites into, when it is a project, event or group; the connection itself otherwise.
  const target =
    isTargetType(row.target_type) && row.target_iri
      ? { type: row.target_type, iri: row.target_iri, name: row.target_name }
      : null;
  const incoming = await invitations.recordIncoming(
    trx,
    {
      tenantId: invitee.tenant_id,
      identityId: invitee.id,
      channel: 'provider',
      from: { did: inviter.did, name: inviter.displayName },
      target,
      role: row.role,
      rules: parseJson<string[]>(row.rules, []),
      label: row.label,
      message: row.message,
      payload: JSON.stringify({
        provider: LOCAL_PROVIDER,
        invitationId: row.id,
        inviter: { identityId: inviter.id, handle: inviter.handle },
      }),
      expiresAt: new Date(row.expires_at),
    },
    { kind: 'system' },
    false,
  );
  return { provider: LOCAL_PROVIDER, incomingInvitationId: incoming.id };
}
