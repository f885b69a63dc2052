import { type Kysely } from 'kysely';

/**
 * Links derived from the server secret: a token row records which generation of the invitation's link
 * it is and which secret derived it (`secret_id`, a fingerprint, never the secret), so the operator's
 * view can recompute the URL and say honestly when it cannot. Rows written before this migration keep
 * NULL in both: their tokens were random and cannot be recomputed. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitation_tokens').addColumn('generation', 'integer').execute();
  await db.schema.alterTable('invitation_tokens').addColumn('secret_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('invitation_tokens').dropColumn('secret_id').execute();
  await db.schema.alterTable('invitation_tokens').dropColumn('generation').execute();
}
