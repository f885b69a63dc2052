import { type Kysely } from 'kysely';

/**
 * The contact and email indexes hold only the invitations that have a contact or an email. A link,
 * DIDComm or ActivityPub invitation has neither, yet wrote an entry of NULLs into each, and each
 * entry is a page that its group's COMMIT writes to the WAL: 8.09 -> 7.54 WAL frames a link create,
 * groups of ten (bench). Every query that reads them compares the column with `=`, which SQLite's and
 * PostgreSQL's planners both take to imply IS NOT NULL, so the plans keep them (test/list-plans.test.ts).
 * Frozen once shipped.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invitations_tenant_contact').execute();
  await db.schema
    .createIndex('invitations_tenant_contact')
    .on('invitations')
    .columns(['tenant_id', 'recipient_contact_id'])
    .where('recipient_contact_id', 'is not', null)
    .execute();
  await db.schema.dropIndex('invitations_tenant_email_created_at').execute();
  await db.schema
    .createIndex('invitations_tenant_email_created_at')
    .on('invitations')
    .columns(['tenant_id', 'recipient_email_normalized', 'created_at', 'id'])
    .where('recipient_email_normalized', 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('invitations_tenant_email_created_at').execute();
  await db.schema
    .createIndex('invitations_tenant_email_created_at')
    .on('invitations')
    .columns(['tenant_id', 'recipient_email_normalized', 'created_at', 'id'])
    .execute();
  await db.schema.dropIndex('invitations_tenant_contact').execute();
  await db.schema
    .createIndex('invitations_tenant_contact')
    .on('invitations')
    .columns(['tenant_id', 'recipient_contact_id'])
    .execute();
}
