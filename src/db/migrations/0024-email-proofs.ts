import type { Kysely } from 'kysely';

/**
 * Admission by address on shareable links: the domains a link admits (a JSON array on the invitation; null: any
 * address, as before), and the one-time codes that prove an address before a seat is given. A code is stored only
 * as its SHA-256; one live code per (invitation, address), replaced when another is asked for. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('allowed_domains', 'text').execute();
  await db.schema
    .createTable('email_proofs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('email_proofs_invitation_email')
    .on('email_proofs')
    .columns(['invitation_id', 'email'])
    .unique()
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_proofs').execute();
  await db.schema.alterTable('invitations').dropColumn('allowed_domains').execute();
}
