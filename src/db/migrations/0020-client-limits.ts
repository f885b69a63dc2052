import type { Kysely } from 'kysely';

/**
 * Limits for anonymous callers, shared by every process on one database: a request counter per
 * client address, route group and fixed window, and the console sign-in failures of each client
 * (how many in a row, and until when it is locked out). No foreign keys: a client is an address,
 * not a tenant. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('client_limit_windows')
    .addColumn('route_group', 'text', (c) => c.notNull())
    .addColumn('client', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_limit_windows_pk', ['route_group', 'client', 'window_start'])
    .execute();
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('client', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('locked_until', 'text', (c) => c.notNull())
    .addColumn('last_failure_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('sign_in_failures').execute();
  await db.schema.dropTable('client_limit_windows').execute();
}
