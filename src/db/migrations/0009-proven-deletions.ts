import type { Kysely } from 'kysely';

/**
 * Invitations deleted through Indicio Proven's API: Proven's reads stop showing them, while the
 * invitation row and its history stay for the native API (as revoked). A marker, not a delete.
 * Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('proven_deletions')
    .addColumn('invitation_id', 'text', (c) => c.primaryKey().references('invitations.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('deleted_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('proven_deletions').execute();
}
