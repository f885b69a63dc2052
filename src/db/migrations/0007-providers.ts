import type { Kysely } from 'kysely';

/**
 * Provider accounts (a Unipile-compatible API per social account) and the sends paced through
 * them: each send holds its scheduled slot, so quotas are counted from this table. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provider_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('dsn', 'text', (c) => c.notNull())
    // In clear, like webhook secrets: every call to the provider presents it.
    .addColumn('api_key', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    // 'free' | 'paid': picks the default limits.
    .addColumn('plan', 'text', (c) => c.notNull())
    // JSON: only the limits the operator set; the rest follow the provider's defaults for the plan.
    .addColumn('limit_overrides', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('provider_accounts_tenant')
    .on('provider_accounts')
    .columns(['tenant_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('provider_sends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('account_id', 'text', (c) => c.notNull().references('provider_accounts.id'))
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id'))
    .addColumn('with_note', 'integer', (c) => c.notNull())
    .addColumn('scheduled_at', 'text', (c) => c.notNull())
    // 'scheduled' | 'sent' | 'failed' | 'cancelled'
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('remote_invitation_id', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // Pacing reads an account's recent slots in time order.
  await db.schema
    .createIndex('provider_sends_account_slot')
    .on('provider_sends')
    .columns(['account_id', 'scheduled_at'])
    .execute();
  await db.schema.createIndex('provider_sends_invitation').on('provider_sends').columns(['invitation_id']).execute();
}
