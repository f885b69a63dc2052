/** Our keys as registered with a mediator (RFC 0211 keylist): requested, registered or refused. */
import type { Db } from '#db';
import { isoTime } from '#common/json';

/**
 * The key itself when it still waits for its mediator's confirmation; null when it does not wait (or was never
 * mediated).
 */
export async function awaitingRegistration(db: Db, verkey: string): Promise<string | null> {
  const row = await db
    .selectFrom('didcomm_mediated_keys')
    .select('verkey')
    .where('verkey', '=', verkey)
    .where('state', '=', 'requested')
    .executeTakeFirst();
  return row?.verkey ?? null;
}

/** Notes keys as sent to a mediator in a keylist-update, waiting for its answer. */
export async function insertRequestedKeys(
  db: Db,
  owner: { tenantId: string; mediatorId: string },
  verkeys: readonly string[],
  now: Date,
): Promise<void> {
  if (verkeys.length === 0) return;
  const at = isoTime(now);
  await db
    .insertInto('didcomm_mediated_keys')
    .values(
      verkeys.map((verkey) => ({
        verkey,
        tenant_id: owner.tenantId,
        mediator_id: owner.mediatorId,
        state: 'requested',
        created_at: at,
        updated_at: at,
      })),
    )
    .execute();
}

/** Records the mediator's answer for one key; false when the key is not one we asked this mediator about. */
export async function settleKey(
  db: Db,
  mediatorId: string,
  verkey: string,
  registered: boolean,
  now: Date,
): Promise<boolean> {
  const updated = await db
    .updateTable('didcomm_mediated_keys')
    .set({ state: registered ? 'registered' : 'refused', updated_at: isoTime(now) })
    .where('verkey', '=', verkey)
    .where('mediator_id', '=', mediatorId)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** How many of a mediator's keys are in each state. */
export async function keyCounts(
  db: Db,
  mediatorId: string,
): Promise<{ requested: number; registered: number; refused: number }> {
  const rows = await db
    .selectFrom('didcomm_mediated_keys')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('mediator_id', '=', mediatorId)
    .groupBy('state')
    .execute();
  const count = (state: string) => Number(rows.find((row) => row.state === state)?.n ?? 0);
  return { requested: count('requested'), registered: count('registered'), refused: count('refused') };
}
