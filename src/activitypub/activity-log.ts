/** Activities seen and sent, once each: the record that makes a second delivery of the same activity a no-op. */
import type { Db } from '#db';
import { isUniqueViolation } from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { idOf, type Activity } from './activities';

/**
 * Records an activity; false when this tenant already has it in that direction (a redelivery).
 * Inside a transaction on PostgreSQL a failed insert would abort the transaction, so the check
 * is a conflict-ignoring insert rather than a caught error.
 */
export async function recordActivity(
  db: Db,
  entry: { tenantId: string; invitationId: string | null; direction: 'in' | 'out'; activity: Activity },
  now: Date,
): Promise<boolean> {
  const { activity } = entry;
  try {
    const result = await db
      .insertInto('ap_activities')
      .values({
        id: newId(now.getTime()),
        tenant_id: entry.tenantId,
        invitation_id: entry.invitationId,
        direction: entry.direction,
        activity_id: activity.id,
        type: activity.type,
        actor: activity.actor,
        object_id: idOf(activity.object),
        payload: JSON.stringify(activity),
        created_at: isoTime(now),
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'direction', 'activity_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** The invitation an earlier activity (by its id) belongs to, in one tenant and direction. */
export async function invitationOfActivity(
  db: Db,
  tenantId: string,
  direction: 'in' | 'out',
  activityId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('ap_activities')
    .select('invitation_id')
    .where('tenant_id', '=', tenantId)
    .where('direction', '=', direction)
    .where('activity_id', '=', activityId)
    .executeTakeFirst();
  return row?.invitation_id ?? null;
}
