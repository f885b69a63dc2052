import type { Kysely } from 'kysely';
import type { ContactRow, Database, Db } from '#db';
import { keysetPage, toPage, type SortDirection } from '#db/keyset';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import type { Cursor, Page } from '#http/pagination';
import { tenantError } from './errors';

/** A counterpart the tenant knows. */
export interface Contact {
  readonly id: string;
  readonly name: string | null;
  readonly email: string | null;
  readonly did: string | null;
  readonly actorIri: string | null;
  /** Handles on social providers, e.g. `{ "linkedin": "julien-crepieux" }`. */
  readonly providerHandles: Readonly<Record<string, string>>;
  readonly tags: string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ContactInput {
  name?: string | null;
  email?: string | null;
  did?: string | null;
  actorIri?: string | null;
  providerHandles?: Record<string, string>;
  tags?: string[];
}

export interface ContactFilter {
  email?: string;
  did?: string;
  actorIri?: string;
  tag?: string;
  direction?: SortDirection;
  cursor?: Cursor | null;
  limit: number;
}

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    did: row.did,
    actorIri: row.actor_iri,
    providerHandles: parseJson(row.provider_handles, {}),
    tags: parseJson(row.tags, []),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Emails compare case-insensitively everywhere; this is the one normal form. */
export function normalizeEmail(email: string | null | undefined): string | null {
  return email ? email.trim().toLowerCase() : null;
}

function uniqueTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
}

async function writeTags(db: Db, tenantId: string, contactId: string, tags: readonly string[]): Promise<void> {
  await db.deleteFrom('contact_tags').where('contact_id', '=', contactId).execute();
  if (tags.length > 0) {
    await db
      .insertInto('contact_tags')
      .values(tags.map((tag) => ({ contact_id: contactId, tenant_id: tenantId, tag })))
      .execute();
  }
}

/** Makes a contact; tags are kept in their own table so they can be filtered on. */
export async function createContact(db: Db, tenantId: string, input: ContactInput, now: Date): Promise<Contact> {
  const tags = uniqueTags(input.tags ?? []);
  const row: ContactRow = {
    id: newId(now.getTime()),
    tenant_id: tenantId,
    name: input.name ?? null,
    email: input.email ?? null,
    email_normalized: normalizeEmail(input.email),
    did: input.did ?? null,
    actor_iri: input.actorIri ?? null,
    provider_handles: JSON.stringify(input.providerHandles ?? {}),
    tags: JSON.stringify(tags),
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  await db.insertInto('contacts').values(row).execute();
  await writeTags(db, tenantId, row.id, tags);
  return toContact(row);
}

/**
 * The tenant's contact for a DID or an actor, made on first contact: every protocol connection
 * (a DIDComm handshake, an ActivityPub Invite) is linked to one.
 */
export async function contactFor(
  db: Db,
  tenantId: string,
  peer: { did?: string; actorIri?: string; name: string | null },
  now: Date,
): Promise<Contact> {
  const filter = peer.did ? { did: peer.did } : { actorIri: peer.actorIri };
  const existing = await listContacts(db, tenantId, { ...filter, limit: 1 });
  return existing.data[0] ?? createContact(db, tenantId, { ...filter, name: peer.name }, now);
}

/** One contact of the tenant, or null. */
export async function findContact(db: Db, tenantId: string, id: string): Promise<Contact | null> {
  const row = await db
    .selectFrom('contacts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? toContact(row) : null;
}

/** One contact of the tenant; throws contact_not_found naming `field`. */
export async function getContact(db: Db, tenantId: string, id: string, field = 'path.id'): Promise<Contact> {
  const contact = await findContact(db, tenantId, id);
  if (!contact) throw tenantError('contact_not_found', `no contact ${id} in this tenant`, field);
  return contact;
}

/** Replaces the given fields of a contact. */
export async function updateContact(
  db: Db,
  tenantId: string,
  id: string,
  patch: ContactInput,
  now: Date,
): Promise<Contact> {
  const current = await getContact(db, tenantId, id);
  const tags = patch.tags !== undefined ? uniqueTags(patch.tags) : current.tags;
  const next: Contact = {
    ...current,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.email !== undefined ? { email: patch.email } : {}),
    ...(patch.did !== undefined ? { did: patch.did } : {}),
    ...(patch.actorIri !== undefined ? { actorIri: patch.actorIri } : {}),
    ...(patch.providerHandles !== undefined ? { providerHandles: patch.providerHandles } : {}),
    tags,
    updatedAt: isoTime(now),
  };
  await db
    .updateTable('contacts')
    .set({
      name: next.name,
      email: next.email,
      email_normalized: normalizeEmail(next.email),
      did: next.did,
      actor_iri: next.actorIri,
      provider_handles: JSON.stringify(next.providerHandles),
      tags: JSON.stringify(tags),
      updated_at: next.updatedAt,
    })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
  if (patch.tags !== undefined) await writeTags(db, tenantId, id, tags);
  return next;
}

/**
 * What another capability does, in the deleting transaction, to rows that name a contact being
 * deleted. Their owners export these (invitations and memberships keep their copy of the address
 * and lose only the link) and whoever deletes passes them, since tenants import no capability.
 */
export type ContactUnlink = (trx: Db, tenantId: string, contactId: string, now: Date) => Promise<void>;

/** Deletes a contact, and with `unlinks` the links to it, in one transaction; throws contact_not_found. */
export async function deleteContact(
  db: Kysely<Database>,
  tenantId: string,
  id: string,
  unlinks: readonly ContactUnlink[],
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await getContact(trx, tenantId, id);
    for (const unlink of unlinks) await unlink(trx, tenantId, id, now);
    await trx.deleteFrom('contact_tags').where('contact_id', '=', id).execute();
    await trx.deleteFrom('contacts').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
  });
}

/** A page of the tenant's contacts, oldest first by default, filtered by exact fields or a tag. */
export async function listContacts(db: Db, tenantId: string, filter: ContactFilter): Promise<Page<Contact>> {
  let query = db.selectFrom('contacts').selectAll('contacts').where('contacts.tenant_id', '=', tenantId);
  if (filter.email) query = query.where('email_normalized', '=', normalizeEmail(filter.email));
  if (filter.did) query = query.where('did', '=', filter.did);
  if (filter.actorIri) query = query.where('actor_iri', '=', filter.actorIri);
  if (filter.tag) {
    const tag = filter.tag;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('contact_tags')
          .select('contact_tags.tag')
          .whereRef('contact_tags.contact_id', '=', 'contacts.id')
          .where('contact_tags.tag', '=', tag),
      ),
    );
  }
  const rows = await keysetPage(
    query,
    'created_at',
    filter.direction ?? 'asc',
    filter.cursor ?? null,
    filter.limit,
  ).execute();
  return toPage(rows, filter.limit, 'created_at', toContact);
}
