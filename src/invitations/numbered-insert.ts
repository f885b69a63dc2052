import { sql } from 'kysely';
import {
  columnParams,
  definedColumns,
  insertRow,
  insertRowsLater,
  onPostgres,
  preparedQuery,
  preparedShapes,
  type Db,
  type InvitationRow,
} from '#db';
import { takeBlockNumber } from './number-blocks';

const numberFor = preparedQuery((db, p: { invitationId: string }) =>
  db.insertInto('invitation_numbers').values({ invitation_id: p.invitationId }).returning('number'),
);

/**
 * The next invitation number, taken for `invitationId` in the caller's transaction. PostgreSQL: from this process's
 * block of the sequence (number-blocks.ts), no statement of its own but once a block; SQLite, whose writes are
 * in-process and serialized anyway, inserts a row into `invitation_numbers` for the next AUTOINCREMENT.
 */
export async function nextInvitationNumber(trx: Db, invitationId: string): Promise<number> {
  if (onPostgres(trx)) return takeBlockNumber(trx);
  const row = await numberFor.executeTakeFirst(trx, { invitationId });
  return Number(row!.number);
}

/**
 * The insert of an invitation to a recipient address, which does nothing when the address already has a pending
 * invitation to the target: the conflict is `invitations_one_pending_per_recipient`'s, named by its columns and
 * predicate. A concurrent create of the same address waits for the other to commit and then does nothing too.
 */
const insertUnlessPending = preparedShapes((shape: string) => {
  const columns = shape.split(' ');
  return preparedQuery((db, params: Record<string, unknown>) =>
    db
      .insertInto('invitations')
      .values(columnParams(params, columns) as never)
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'recipient_email_normalized', 'target_key'])
          .where(sql.ref('status'), '=', sql.lit('pending'))
          .where(sql.ref('recipient_email_normalized'), 'is not', null)
          .doNothing(),
      )
      .returning('id'),
  );
});

/**
 * Inserts a new invitation with the next number, in the caller's transaction, and returns the number.
 *
 * An invitation to a recipient address goes in unless the address already has one pending to the target; then
 * `clearPending` runs — it refuses the create, or stores the pending ones whose time ran out as expired — and the
 * insert is made again. So an email create's check and insert are one statement, not a read and then a write
 * (bench: a round trip fewer on every email create).
 *
 * Without an address, on PostgreSQL, the number is known before the insert, so an insert nothing can refuse is held
 * and goes with the transaction's next statement (its COMMIT, for a link): besides the recipient's, only the
 * purpose's unique index (`invitations_tenant_purpose`) refuses an invitation, and one with a purpose is inserted at
 * once, so the refusal comes out here for the caller to answer.
 */
export async function insertNumberedInvitation(
  trx: Db,
  row: Omit<InvitationRow, 'number'>,
  clearPending: (address: string) => Promise<void>,
): Promise<number> {
  const number = await nextInvitationNumber(trx, row.id);
  const numbered = { ...row, number };
  if (row.recipient_email_normalized !== null) {
    const insert = insertUnlessPending(definedColumns(numbered).join(' '));
    if (await insert.executeTakeFirst(trx, numbered)) return number;
    await clearPending(row.recipient_email_normalized);
    await insertRow(trx, 'invitations', numbered);
  } else if (onPostgres(trx) && row.purpose === null) await insertRowsLater(trx, 'invitations', [numbered]);
  else await insertRow(trx, 'invitations', numbered);
  return number;
}
