import type { Kysely } from 'kysely';

/**
 * The audit trail: one row per privileged change (keys, settings, webhooks, identities, provider
 * accounts, invitations revoked or edited), who made it from which surface, and what changed — field
 * names, old and new values of non-secret settings, never a secret. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_key_id', 'text')
    .addColumn('actor_key_name', 'text')
    .addColumn('surface', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The list's order, newest first, and the keyset of its pages.
  await db.schema
    .createIndex('audit_events_tenant_id')
    .on('audit_events')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
}
