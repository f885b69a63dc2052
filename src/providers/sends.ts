/** The sends paced through provider accounts: each holds a slot, and the slots are what quotas count. */
import type { Db, ProviderSendRow } from '#db';
import { isoTime } from '#common/json';
import type { HeldSlot } from './pacing';

/**
 * Statuses whose slot counts: sent (withdrawn later or not: the provider counted it), or waiting
 * to be. Failed and cancelled sends gave theirs back.
 */
const HOLDING = ['scheduled', 'sent', 'withdrawn'];

/** The slots an account holds from `since` on (future ones included). */
export async function heldSlots(db: Db, accountId: string, since: Date): Promise<HeldSlot[]> {
  const rows = await db
    .selectFrom('provider_sends')
    .select(['scheduled_at', 'with_note'])
    .where('account_id', '=', accountId)
    .where('status', 'in', HOLDING)
    .where('scheduled_at', '>', isoTime(since))
    .orderBy('scheduled_at')
    .execute();
  return rows.map((r) => ({ at: new Date(r.scheduled_at), withNote: r.with_note === 1 }));
}

/** Records a send in the creating transaction. */
export async function insertSend(db: Db, row: ProviderSendRow): Promise<void> {
  await db.insertInto('provider_sends').values(row).execute();
}

/** One send, or null once its account was deleted. */
export async function findSend(db: Db, id: string): Promise<ProviderSendRow | null> {
  return (await db.selectFrom('provider_sends').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Moves a send still waiting to its final state. */
export async function settleSend(
  db: Db,
  id: string,
  set: { status: 'sent' | 'failed' | 'cancelled'; remoteInvitationId?: string | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('provider_sends')
    .set({
      status: set.status,
      ...(set.status === 'sent' ? { sent_at: isoTime(now), remote_invitation_id: set.remoteInvitationId ?? null } : {}),
      updated_at: isoTime(now),
    })
    .where('id', '=', id)
    .where('status', '=', 'scheduled')
    .execute();
}

/** Records that the provider took a sent invitation back; the slot stays held, as the provider still counts it. */
export async function markWithdrawn(db: Db, id: string, now: Date): Promise<void> {
  await db
    .updateTable('provider_sends')
    .set({ status: 'withdrawn', updated_at: isoTime(now) })
    .where('id', '=', id)
    .where('status', '=', 'sent')
    .execute();
}
