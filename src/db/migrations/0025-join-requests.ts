import type { Kysely } from 'kysely';

/**
 * Join requests: a link created with `requireApproval` admits no one by itself; accepting it records a request that
 * an operator or the host application approves (the membership is granted then) or declines. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('invitations')
    .addColumn('require_approval', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('join_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id'))
    .addColumn('member_key', 'text', (c) => c.notNull())
    .addColumn('acceptor', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('membership_id', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The list's order, newest first, and the keyset of its pages; filtered by status in the same index.
  await db.schema
    .createIndex('join_requests_tenant_status')
    .on('join_requests')
    .columns(['tenant_id', 'status', 'created_at', 'id'])
    .execute();
  // "The same person asking twice": one lookup per request on the accept path.
  await db.schema
    .createIndex('join_requests_invitation_member')
    .on('join_requests')
    .columns(['invitation_id', 'member_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('join_requests').execute();
  await db.schema.alterTable('invitations').dropColumn('require_approval').execute();
}
