import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Invitation numbers (integer ids, as Indicio Proven's API has them) and per-tenant request
 * counters for rate limits. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // A sequence both engines keep without a lock held across transactions: PostgreSQL's serial, SQLite's AUTOINCREMENT.
  await db.schema
    .createTable('invitation_numbers')
    .addColumn('number', postgres ? 'serial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('invitation_id', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema.alterTable('invitations').addColumn('number', 'integer').execute();
  const existing = await db.selectFrom('invitations').select('id').orderBy('created_at').orderBy('id').execute();
  for (const { id } of existing) {
    const { number } = await db
      .insertInto('invitation_numbers')
      .values({ invitation_id: id })
      .returning('number')
      .executeTakeFirstOrThrow();
    await db.updateTable('invitations').set({ number }).where('id', '=', id).execute();
  }
  await db.schema.createIndex('invitations_number').unique().on('invitations').columns(['number']).execute();

  await db.schema
    .createTable('rate_limit_windows')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_windows_pk', ['tenant_id', 'window_start'])
    .execute();
}
