/**
 * The activitypub channel's part in creating an invitation: the target becomes an object others
 * can fetch, and the invitation remembers who to send the Invite to.
 */
import { createHash } from 'node:crypto';
import type { Db, InvitationRow } from '#db';
import { parseJson } from '#common/json';
import { isoTime } from '#common/json';
import type { ChannelAdapter } from '#invitations';
import type { ApUris } from './uris';

/** What an activitypub invitation stores in its payload. */
export interface ApInvitationPayload {
  /** The Invite's id. */
  readonly inviteId: string;
  /** Our dereferenceable IRI for the target (null: the tenant itself). */
  readonly targetObject: string | null;
  /** The invitee as given when no actor IRI was: `user@host`, resolved by WebFinger at send time. */
  readonly handle: string | null;
}

/**
 * The target's id under /ap/targets: stable per tenant and target, so invitations into one project share one object.
 */
export function targetObjectId(tenantId: string, targetKey: string): string {
  return createHash('sha256').update(`${tenantId}\n${targetKey}`).digest('base64url').slice(0, 22);
}

/** Stores the target object (once per tenant and target) and returns its IRI; null for the tenant itself. */
async function publishTarget(trx: Db, row: InvitationRow, uris: ApUris): Promise<string | null> {
  if (row.target_type === 'tenant') return null;
  const id = targetObjectId(row.tenant_id, row.target_key);
  await trx
    .insertInto('ap_targets')
    .values({
      id,
      tenant_id: row.tenant_id,
      identity_id: row.identity_id,
      target_key: row.target_key,
      type: row.target_type,
      iri: row.target_iri,
      name: row.target_name,
      created_at: isoTime(new Date(row.created_at)),
    })
    .onConflict((oc) => oc.column('id').doUpdateSet({ name: row.target_name }))
    .execute();
  return uris.target(id);
}

/**
 * The activitypub ChannelAdapter. The invitation's URL is its Invite's IRI: public, and where the Invite can be
 * fetched.
 */
export function createActivityPubAdapter(uris: ApUris): ChannelAdapter {
  return {
    async prepare(trx, row, _identity, input) {
      const payload: ApInvitationPayload = {
        inviteId: uris.invite(row.id),
        targetObject: await publishTarget(trx, row, uris),
        handle: row.recipient_actor ? null : (input.recipient?.actorHandle?.replace(/^@/, '') ?? null),
      };
      return JSON.stringify(payload);
    },
    url: (row) => parseJson<ApInvitationPayload | null>(row.payload, null)?.inviteId ?? null,
  };
}
