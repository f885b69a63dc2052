import type { Kysely } from 'kysely';

/**
 * Indexes for lookups every create and accept makes, measured by bench/: the subscribed webhook
 * endpoints (read for every event) and the tenant's active signing key (every accept) were
 * sorted in a temporary B-tree on each call, which cost more than the rest of the query; ending
 * the index in the ORDER BY columns lets both engines read them in order. The index on
 * invitations.target_iri goes: the target filter uses target_key (0008), and every index is one
 * more page written per invitation. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('webhook_endpoints_tenant_status_created')
    .on('webhook_endpoints')
    .columns(['tenant_id', 'status', 'created_at', 'id'])
    .execute();
  await db.schema.dropIndex('webhook_endpoints_tenant').execute();
  await db.schema
    .createIndex('signing_keys_tenant_status_created')
    .on('signing_keys')
    .columns(['tenant_id', 'status', 'created_at', 'kid'])
    .execute();
  await db.schema.dropIndex('signing_keys_tenant').execute();
  await db.schema.dropIndex('invitations_tenant_target').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('invitations_tenant_target')
    .on('invitations')
    .columns(['tenant_id', 'target_iri'])
    .execute();
  await db.schema.createIndex('signing_keys_tenant').on('signing_keys').columns(['tenant_id', 'status']).execute();
  await db.schema.dropIndex('signing_keys_tenant_status_created').execute();
  await db.schema
    .createIndex('webhook_endpoints_tenant')
    .on('webhook_endpoints')
    .columns(['tenant_id', 'status'])
    .execute();
  await db.schema.dropIndex('webhook_endpoints_tenant_status_created').execute();
}
