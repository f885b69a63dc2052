import type { Kysely } from 'kysely';
import type { Database, InvitationRow } from '#db';

/** Work on one invitation under its row lock, in the transaction that holds the lock; its value is the caller's. */
export type LockedWork<T> = (trx: Kysely<Database>, row: InvitationRow) => Promise<T>;

/**
 * Runs `work` in one transaction on the invitation `lock` reads there (locked on PostgreSQL, see
 * `lockInvitationRow`), and returns what `work` returns; throws `notFound()` when `lock` reads none. `lock` may read
 * more than the row (accept-read.ts): `work` is handed what it read.
 */
export function withLockedRow<T, L = InvitationRow>(
  db: Kysely<Database>,
  lock: (trx: Kysely<Database>) => Promise<L | null>,
  notFound: () => Error,
  work: (trx: Kysely<Database>, locked: L) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const locked = await lock(trx);
    if (!locked) throw notFound();
    return work(trx, locked);
  });
}
