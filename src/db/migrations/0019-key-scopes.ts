import type { Kysely } from 'kysely';

/**
 * Scoped API keys: what a key may do (`scopes`), which roles its invitations may grant
 * (`grantable_roles`) and which targets they may name (`allowed_targets`), each a JSON array;
 * null keeps a key made before this migration as it was. An invitation keeps the roles its
 * creating key could grant (`grantable_roles`), checked again at accept. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['scopes', 'grantable_roles', 'allowed_targets']) {
    await db.schema.alterTable('api_keys').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('invitations').addColumn('grantable_roles', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('grantable_roles').execute();
  for (const column of ['allowed_targets', 'grantable_roles', 'scopes']) {
    await db.schema.alterTable('api_keys').dropColumn(column).execute();
  }
}
