import type { Kysely } from 'kysely';

/**
 * DIDComm routing: messages held for agents Usher cannot post to (no endpoint, or one that asked
 * for answers on its own request, Aries RFC 0092), the mediators Usher is a recipient of
 * (RFC 0211) and the keys it registered with them. Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('didcomm_held_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('connection_id', 'text')
    .addColumn('invitation_id', 'text')
    // base58 verkey the envelope is packed to: an inbound envelope from that key takes it back.
    .addColumn('recipient_key', 'text', (c) => c.notNull())
    // Set when the message waits for its sender key's registration with a mediator, not for its recipient:
    // once registered it goes to `endpoint` through the outbox (or, without one, waits for the recipient).
    .addColumn('awaiting_key', 'text')
    .addColumn('endpoint', 'text')
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('envelope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('didcomm_held_messages_recipient')
    .on('didcomm_held_messages')
    .columns(['recipient_key', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('didcomm_held_messages_awaiting')
    .on('didcomm_held_messages')
    .columns(['awaiting_key'])
    .execute();

  await db.schema
    .createTable('didcomm_mediators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('connection_id', 'text', (c) => c.notNull())
    // requested, granted, denied
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text')
    .addColumn('routing_keys', 'text')
    .addColumn('last_pickup_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('didcomm_mediators_connection')
    .unique()
    .on('didcomm_mediators')
    .columns(['connection_id'])
    .execute();
  await db.schema
    .createIndex('didcomm_mediators_tenant')
    .on('didcomm_mediators')
    .columns(['tenant_id', 'state', 'updated_at'])
    .execute();

  await db.schema
    .createTable('didcomm_mediated_keys')
    .addColumn('verkey', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
    .addColumn('mediator_id', 'text', (c) => c.notNull().references('didcomm_mediators.id'))
    // requested (keylist-update sent), registered (the mediator confirmed), refused
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('didcomm_mediated_keys_mediator')
    .on('didcomm_mediated_keys')
    .columns(['mediator_id', 'state'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('didcomm_mediated_keys').execute();
  await db.schema.dropTable('didcomm_mediators').execute();
  await db.schema.dropTable('didcomm_held_messages').execute();
}
