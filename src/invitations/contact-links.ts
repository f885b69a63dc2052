import { sql } from 'kysely';
import type { Db } from '#db';
import { isoTime } from '#common/json';

/**
 * Forgets a deleted contact on the tenant's invitations, in the deleting transaction: each keeps
 * its own copy of the address and loses only the link. One statement for any number of rows; the
 * version moves on, so a change decided on a read from before cannot be written over it. No event:
 * the invitation's lifecycle is unchanged, and closed invitations, which no transition may touch,
 * lose the link too.
 */
export async function unlinkContactFromInvitations(
  trx: Db,
  tenantId: string,
  contactId: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ recipient_contact_id: null, version: sql<number>`version + 1`, updated_at: isoTime(now) })
    .where('tenant_id', '=', tenantId)
    .where('recipient_contact_id', '=', contactId)
    .execute();
}
