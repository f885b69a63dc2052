import { sql, type Kysely } from 'kysely';

/**
 * Tenants, keys, identities, contacts, invitations, redemptions, memberships, events.
 * Frozen: a shipped migration is never edited; change the schema with a new one.
 * Types stay to text/integer so the same migration runs on SQLite and PostgreSQL.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('operator', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('api_keys_tenant').on('api_keys').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('handle', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('did', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('private_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('identities_tenant').on('identities').columns(['tenant_id', 'created_at']).execute();

  await db.schema
    .createTable('contacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('email_normalized', 'text')
    .addColumn('did', 'text')
    .addColumn('actor_iri', 'text')
    .addColumn('provider_handles', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('contacts_tenant_created')
    .on('contacts')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('contacts_tenant_email')
    .on('contacts')
    .columns(['tenant_id', 'email_normalized'])
    .execute();
  await db.schema.createIndex('contacts_tenant_did').on('contacts').columns(['tenant_id', 'did']).execute();

  await db.schema
    .createTable('contact_tags')
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_tags_pk', ['contact_id', 'tag'])
    .execute();
  await db.schema.createIndex('contact_tags_tenant_tag').on('contact_tags').columns(['tenant_id', 'tag']).execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('identity_id', 'text', (c) => c.notNull().references('identities.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('recipient_email', 'text')
    .addColumn('recipient_email_normalized', 'text')
    .addColumn('recipient_contact_id', 'text')
    .addColumn('recipient_did', 'text')
    .addColumn('recipient_actor', 'text')
    .addColumn('recipient_provider', 'text')
    .addColumn('recipient_name', 'text')
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('target_iri', 'text')
    .addColumn('target_name', 'text')
    .addColumn('role', 'text')
    .addColumn('rules', 'text')
    .addColumn('message', 'text')
    .addColumn('label', 'text')
    .addColumn('description', 'text')
    .addColumn('purpose', 'text')
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('uses_allowed', 'integer')
    .addColumn('uses_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('starts_at', 'text')
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('payload', 'text')
    .addColumn('metadata', 'text', (c) => c.notNull())
    .addColumn('locale', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('invitations_tenant_purpose', ['tenant_id', 'purpose'])
    .execute();
  // Keyset pagination: one index per sort order, each ending in id as the tie-breaker.
  for (const column of ['created_at', 'updated_at', 'expires_at']) {
    await db.schema
      .createIndex(`invitations_tenant_${column}`)
      .on('invitations')
      .columns(['tenant_id', column, 'id'])
      .execute();
    await db.schema
      .createIndex(`invitations_tenant_status_${column}`)
      .on('invitations')
      .columns(['tenant_id', 'status', column, 'id'])
      .execute();
  }
  await db.schema
    .createIndex('invitations_tenant_email')
    .on('invitations')
    .columns(['tenant_id', 'recipient_email_normalized'])
    .execute();
  await db.schema
    .createIndex('invitations_tenant_contact')
    .on('invitations')
    .columns(['tenant_id', 'recipient_contact_id'])
    .execute();
  await db.schema
    .createIndex('invitations_tenant_target')
    .on('invitations')
    .columns(['tenant_id', 'target_iri'])
    .execute();
  // "Already invited": at most one pending invitation per recipient address and target.
  await db.schema
    .createIndex('invitations_one_pending_per_recipient')
    .on('invitations')
    .columns(['tenant_id', 'recipient_email_normalized', 'target_key'])
    .unique()
    .where(sql.ref('status'), '=', 'pending')
    .where(sql.ref('recipient_email_normalized'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('invitations_status_expires')
    .on('invitations')
    .columns(['status', 'expires_at'])
    .execute();

  // One row per link ever minted for an invitation: the API's, each email's, each reminder's.
  // Only hashes: a link is minted when it is handed out, so no plain token is ever stored.
  await db.schema
    .createTable('invitation_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('minted_for', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema
    .createIndex('invitation_tokens_invitation')
    .on('invitation_tokens')
    .columns(['invitation_id'])
    .execute();

  await db.schema
    .createTable('redemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id'))
    .addColumn('acceptor', 'text', (c) => c.notNull())
    .addColumn('membership_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('redemptions_invitation')
    .on('redemptions')
    .columns(['invitation_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_iri', 'text')
    .addColumn('target_name', 'text')
    .addColumn('member_key', 'text', (c) => c.notNull())
    .addColumn('member_email', 'text')
    .addColumn('member_did', 'text')
    .addColumn('member_actor', 'text')
    .addColumn('member_subject', 'text')
    .addColumn('member_name', 'text')
    .addColumn('contact_id', 'text')
    .addColumn('role', 'text')
    .addColumn('rules', 'text')
    .addColumn('invitation_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('memberships_member', ['tenant_id', 'target_key', 'member_key'])
    .execute();
  await db.schema
    .createIndex('memberships_tenant_created')
    .on('memberships')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();

  await db.schema
    .createTable('invitation_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('previous_status', 'text')
    .addColumn('new_status', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('invitation_events_invitation')
    .on('invitation_events')
    .columns(['invitation_id', 'id'])
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['tenant_id', 'key'])
    .execute();
}
