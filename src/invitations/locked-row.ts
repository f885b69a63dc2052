import type { Kysely } from 'kysely';
import type { Database, InvitationRow } from '#db';

/** Work on one invitation under its row lock, in the transaction that holds the lock; its value is the caller's. */
export type LockedWork<T> = (trx: Kysely<Database>, row: InvitationRow) => Promise<T>;

/**
 * Runs `work` in one transaction on the invitation `lock` reads there (locked on PostgreSQL, see
 * `lockInvitationRow`), and returns what `work` returns; throws `notFound()` when `lock` reads none.
 */
export function withLockedRow<T>(
  db: Kysely<Database>,
  lock: (trx: Kysely<Database>) => Promise<InvitationRow | null>,
  notFound: () => Error,
  work: LockedWork<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const row = await lock(trx);
    if (!row) throw notFound();
    return work(trx, row);
  });
}
