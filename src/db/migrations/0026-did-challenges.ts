import type { Kysely } from 'kysely';

/**
 * Challenges a DID-bound invitation's acceptor signs to prove the DID: only the SHA-256 of each nonce is kept, and
 * the accept that uses one deletes it, so a nonce admits once and only until it expires. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('did_challenges')
    .addColumn('nonce_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('invitation_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // Expired challenges are swept per invitation when the next one is issued.
  await db.schema
    .createIndex('did_challenges_invitation')
    .on('did_challenges')
    .columns(['tenant_id', 'invitation_id', 'expires_at'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('did_challenges').execute();
}
