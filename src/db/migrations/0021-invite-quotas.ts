import type { Kysely } from 'kysely';

/**
 * Quotas per inviter: an API key's own invitations per hour and per day (`invite_quota`, JSON; null:
 * the tenant's defaults), and the counters, one row per subject (an API key or the host application's
 * `invitedBy.id`), period and fixed window, shared by every process on one database. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('invite_quota', 'text').execute();
  await db.schema
    .createTable('invite_quota_windows')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('invite_quota_windows_pk', [
      'tenant_id',
      'subject',
      'subject_id',
      'period',
      'window_start',
    ])
    .execute();
  // The sweep drops old windows by their start.
  await db.schema.createIndex('invite_quota_windows_start').on('invite_quota_windows').column('window_start').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invite_quota_windows').execute();
  await db.schema.alterTable('api_keys').dropColumn('invite_quota').execute();
}
