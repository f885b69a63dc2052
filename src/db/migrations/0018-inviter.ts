import type { Kysely } from 'kysely';

/**
 * Who invites and where the accept flow ends, per invitation: the host application's user who sent
 * it (`invited_by_*`, and whether the request named them or the identity stood in) and a redirect
 * URL that overrides the tenant's. Nullable: rows made before this migration have neither.
 * Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['invited_by_id', 'invited_by_name', 'invited_by_email', 'invited_by_source', 'redirect_url']) {
    await db.schema.alterTable('invitations').addColumn(column, 'text').execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['redirect_url', 'invited_by_source', 'invited_by_email', 'invited_by_name', 'invited_by_id']) {
    await db.schema.alterTable('invitations').dropColumn(column).execute();
  }
}
