import { sql, type Kysely } from 'kysely';

/**
 * The sweep's index holds only the invitations it can expire, pending and tentative ones, keyed by their expiry.
 * The old one, (status, expires_at) over every row, took an entry out and put one back on every accept, decline
 * and revoke; this one only loses the row, and PostgreSQL's non-HOT update skips a partial index whose predicate
 * the new row fails. SQLite time in an accept: 192/194/182 -> 168/164/143 µs (bench `--only=statements`, three
 * alternating pairs).
 *
 * Keyed by an expression that only the sweep writes (`findExpiredPendingIds`), not by `expires_at` under a
 * `status in (...)` predicate: a tenant's pending list implies that predicate, and PostgreSQL then read the
 * tenant's pending invitations from this index and sorted them instead of walking its ordered index
 * (test/list-plans.test.ts). Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invitations_status_expires').execute();
  await sql`create index invitations_open_expires on invitations
    ((case when status in ('pending', 'tentative') then expires_at end))
    where (case when status in ('pending', 'tentative') then expires_at end) is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invitations_open_expires').execute();
  await db.schema
    .createIndex('invitations_status_expires')
    .on('invitations')
    .columns(['status', 'expires_at'])
    .execute();
}
