import type { Kysely } from 'kysely';

/** ActivityPub: actor keys, Fedify's key-value store, activities seen and sent, and target objects. Frozen once shipped. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ap_keys')
    .addColumn('identity_id', 'text', (c) => c.primaryKey().references('identities.id'))
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    // JWKs as JSON text: RSA for draft-cavage and RFC 9421 signatures, Ed25519 for Object Integrity Proofs.
    .addColumn('rsa_public', 'text', (c) => c.notNull())
    .addColumn('rsa_private', 'text', (c) => c.notNull())
    .addColumn('ed25519_public', 'text', (c) => c.notNull())
    .addColumn('ed25519_private', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ap_kv')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .execute();
  await db.schema.createIndex('ap_kv_expires').on('ap_kv').columns(['expires_at']).execute();

  await db.schema
    .createTable('ap_activities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('invitation_id', 'text', (c) => c.references('invitations.id'))
    // 'in' | 'out'
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('activity_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('object_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // An activity delivered twice is processed once: the second insert fails.
  await db.schema
    .createIndex('ap_activities_once')
    .unique()
    .on('ap_activities')
    .columns(['tenant_id', 'direction', 'activity_id'])
    .execute();
  await db.schema.createIndex('ap_activities_object').on('ap_activities').columns(['tenant_id', 'object_id']).execute();

  await db.schema
    .createTable('ap_targets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('identity_id', 'text', (c) => c.notNull().references('identities.id'))
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('iri', 'text')
    .addColumn('name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ap_targets_key')
    .unique()
    .on('ap_targets')
    .columns(['tenant_id', 'target_key'])
    .execute();
}
