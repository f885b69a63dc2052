import type { Kysely } from 'kysely';

/** DIDComm: the keys we hold (routing inbound envelopes) and the connections handshakes produce. Frozen once shipped. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('didcomm_keys')
    // base58 Ed25519 verkey: an inbound envelope's recipient `kid` finds its key in one lookup.
    .addColumn('verkey', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('invitation_id', 'text', (c) => c.references('invitations.id'))
    .addColumn('connection_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('didcomm_keys_invitation').on('didcomm_keys').columns(['invitation_id']).execute();

  await db.schema
    .createTable('didcomm_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('identity_id', 'text', (c) => c.notNull().references('identities.id'))
    .addColumn('invitation_id', 'text', (c) => c.references('invitations.id'))
    .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('protocol', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('parent_thread_id', 'text')
    .addColumn('our_did', 'text', (c) => c.notNull())
    .addColumn('our_verkey', 'text', (c) => c.notNull())
    .addColumn('their_did', 'text')
    .addColumn('their_did_doc', 'text')
    .addColumn('their_label', 'text')
    .addColumn('alias', 'text')
    .addColumn('their_verkey', 'text')
    .addColumn('invitation_key', 'text')
    .addColumn('error', 'text')
    .addColumn('last_ping_at', 'text')
    .addColumn('last_ping_response_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // A thread is one handshake: a replayed request or response finds the connection it already made.
  await db.schema
    .createIndex('didcomm_connections_thread')
    .unique()
    .on('didcomm_connections')
    .columns(['tenant_id', 'role', 'thread_id'])
    .execute();
  await db.schema
    .createIndex('didcomm_connections_list')
    .on('didcomm_connections')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('didcomm_connections_invitation')
    .on('didcomm_connections')
    .columns(['invitation_id'])
    .execute();
}
