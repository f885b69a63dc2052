import { PostgresAdapter } from 'kysely';
import { insertRow, insertRowsLater, preparedQuery, type Db, type InvitationRow } from '#db';
import { takeBlockNumber } from './number-blocks';

const numberFor = preparedQuery((db, p: { invitationId: string }) =>
  db.insertInto('invitation_numbers').values({ invitation_id: p.invitationId }).returning('number'),
);

const onPostgres = (trx: Db) => trx.getExecutor().adapter instanceof PostgresAdapter;

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
 * Inserts a new invitation with the next number, in the caller's transaction, and returns the number. On PostgreSQL
 * the number is known before the insert, so an insert nothing can refuse is held and goes with the transaction's
 * next statement (its COMMIT, for a link): only its two partial unique indexes refuse an invitation, for a recipient
 * address already invited (`invitations_one_pending_per_recipient`) and a purpose taken (`invitations_tenant_purpose`),
 * and an invitation with either is inserted at once, so the refusal comes out here for the caller to answer.
 */
export async function insertNumberedInvitation(trx: Db, row: Omit<InvitationRow, 'number'>): Promise<number> {
  const number = await nextInvitationNumber(trx, row.id);
  const numbered = { ...row, number };
  if (onPostgres(trx) && row.recipient_email_normalized === null && row.purpose === null)
    await insertRowsLater(trx, 'invitations', [numbered]);
  else await insertRow(trx, 'invitations', numbered);
  return number;
}
