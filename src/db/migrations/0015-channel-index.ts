import type { Kysely } from 'kysely';

/**
 * The invitation list's channel filter in its own order (created_at, id). Without it a rare
 * channel (bench: `channel=didcomm`, 1% of a million rows) walked the created_at index until it
 * had a page, p99 30 ms at ten connections. It costs one more index entry per invitation created;
 * accepting, revoking and expiring never change the channel, so they write nothing to it.
 * Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('invitations_tenant_channel_created_at')
    .on('invitations')
    .columns(['tenant_id', 'channel', 'created_at', 'id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invitations_tenant_channel_created_at').execute();
}
