import type { Kysely } from 'kysely';

/**
 * The address that accepted an email invitation, on its membership, when it was not the invited one (a tenant
 * whose policy is `accept_and_flag`). Null on every membership before it and whenever the addresses agree.
 * Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').addColumn('accepted_email', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('memberships').dropColumn('accepted_email').execute();
}
