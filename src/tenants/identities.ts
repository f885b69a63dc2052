import { randomBytes } from 'node:crypto';
import type { Db, IdentityRow, ShortMemory } from '#db';
import { forgetAfterCommit, inTransaction, isUniqueViolation, preparedQuery } from '#db';
import { changedFields, type Audit } from '#audit';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { generateDidKey } from './did-key';
import { tenantError } from './errors';
import { parseSettings, type TenantSettings } from './settings';

export type IdentityStatus = 'active' | 'disabled';

/** Who acts inside a tenant: the `from` of an invitation. Never carries the private key. */
export interface Identity {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly did: string;
  readonly status: IdentityStatus;
  readonly isDefault: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function toIdentity(row: IdentityRow): Identity {
  return {
    id: row.id,
    handle: row.handle,
    displayName: row.display_name,
    did: row.did,
    status: row.status as IdentityStatus,
    isDefault: row.is_default === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A handle from a display name: lower-case, dashed, with a random tail so it is unique. */
function handleFrom(displayName: string): string {
  const slug = displayName
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'identity'}-${randomBytes(3).toString('hex')}`;
}

/**
 * Makes an identity with a fresh Ed25519 did:key. Handles are unique across the server because
 * they become ActivityPub `acct:handle@host` names.
 */
export async function createIdentity(
  db: Db,
  input: { tenantId: string; displayName: string; handle?: string; isDefault?: boolean },
  now: Date,
  audit?: Audit,
): Promise<Identity> {
  const keys = generateDidKey();
  const row: IdentityRow = {
    id: newId(now.getTime()),
    tenant_id: input.tenantId,
    handle: input.handle ?? handleFrom(input.displayName),
    display_name: input.displayName,
    did: keys.did,
    public_key: keys.publicKey,
    private_key: keys.privateKey,
    status: 'active',
    is_default: input.isDefault ? 1 : 0,
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  try {
    await inTransaction(db, async (trx) => {
      await trx.insertInto('identities').values(row).execute();
      await forgetAfterCommit(trx);
      const changes = { handle: row.handle, displayName: row.display_name };
      await audit?.(trx, { action: 'identity.created', subjectType: 'identity', subjectId: row.id, changes });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw tenantError('identity_handle_taken', `"${row.handle}" is taken`, 'body.handle');
    throw error;
  }
  return toIdentity(row);
}

/** The tenant's identities, default first, then oldest first. */
export async function listIdentities(db: Db, tenantId: string): Promise<Identity[]> {
  const rows = await db
    .selectFrom('identities')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('is_default', 'desc')
    .orderBy('created_at', 'asc')
    .execute();
  return rows.map(toIdentity);
}

const identityById = preparedQuery((db, p: { tenantId: string; id: string }) =>
  db.selectFrom('identities').selectAll().where('tenant_id', '=', p.tenantId).where('id', '=', p.id),
);

/** One identity of the tenant, or null. */
export async function findIdentity(db: Db, tenantId: string, id: string): Promise<Identity | null> {
  const row = await identityById.executeTakeFirst(db, { tenantId, id });
  return row ? toIdentity(row) : null;
}

/** The identity with this handle, in whichever tenant: handles are unique server-wide because they are actor names. */
export async function findIdentityByHandle(
  db: Db,
  handle: string,
): Promise<(Identity & { readonly tenantId: string }) | null> {
  const row = await db.selectFrom('identities').selectAll().where('handle', '=', handle).executeTakeFirst();
  return row ? { ...toIdentity(row), tenantId: row.tenant_id } : null;
}

/** identity_not_found, for the identity asked for by id (at `field`) or, without an id, the default one. */
function missingIdentity(id: string | undefined, field: string) {
  return id
    ? tenantError('identity_not_found', `no identity ${id} in this tenant`, field)
    : tenantError('identity_not_found', 'this tenant has no default identity');
}

/** One identity of the tenant; throws identity_not_found. */
export async function getIdentity(db: Db, tenantId: string, id: string, field = 'path.id'): Promise<Identity> {
  const identity = await findIdentity(db, tenantId, id);
  if (!identity) throw missingIdentity(id, field);
  return identity;
}

// The tenant's name and settings ride along as scalar subqueries, not a join (see "Statement shapes" in
// docs/architecture.md): a create and the public view need both, and on PostgreSQL each statement is a round trip.
const withTenant = (db: Db, tenantId: string) =>
  db
    .selectFrom('identities')
    .selectAll()
    .select((eb) => [
      eb.selectFrom('tenants').select('name').where('id', '=', tenantId).as('tenant_name'),
      eb.selectFrom('tenants').select('settings').where('id', '=', tenantId).as('tenant_settings'),
    ])
    .where('tenant_id', '=', tenantId);
const inviterById = preparedQuery((db, p: { tenantId: string; id: string }) =>
  withTenant(db, p.tenantId).where('id', '=', p.id),
);
const defaultInviter = preparedQuery((db, p: { tenantId: string }) =>
  withTenant(db, p.tenantId).where('is_default', '=', 1),
);

/** An identity of a tenant with what its invitations show of the tenant. */
export interface Inviter {
  readonly identity: Identity;
  readonly tenant: { readonly name: string; readonly settings: TenantSettings };
}

/**
 * Who sends an invitation, with the tenant's name and settings, in one statement: the identity
 * asked for, or the default one. Throws identity_not_found (at `field` for one asked for by id).
 */
export async function getInviter(
  db: Db,
  tenantId: string,
  identityId: string | undefined,
  field = 'path.id',
): Promise<Inviter> {
  const row = identityId
    ? await inviterById.executeTakeFirst(db, { tenantId, id: identityId })
    : await defaultInviter.executeTakeFirst(db, { tenantId });
  if (!row) throw missingIdentity(identityId, field);
  // An identity's tenant cannot be missing (foreign key): its name and settings are there.
  return {
    identity: toIdentity(row),
    tenant: { name: row.tenant_name!, settings: parseSettings(row.tenant_settings!) },
  };
}

/**
 * getInviter through `memory`: a tenant's inviter is read once a second, not once a request. A change through this
 * process is seen at once, through another within the memory's time.
 */
export function recallInviter(
  memory: ShortMemory,
  db: Db,
  tenantId: string,
  identityId: string | undefined,
  field?: string,
): Promise<Inviter> {
  return memory.recall(`inviter:${tenantId}:${identityId ?? ''}`, () => getInviter(db, tenantId, identityId, field));
}

/** Changes an identity's display name or status; the default identity stays active. */
export async function updateIdentity(
  db: Db,
  tenantId: string,
  id: string,
  patch: { displayName?: string; status?: IdentityStatus },
  now: Date,
  audit?: Audit,
): Promise<Identity> {
  const current = await getIdentity(db, tenantId, id);
  if (patch.status === 'disabled' && current.isDefault) {
    throw tenantError('identity_default_cannot_be_disabled', undefined, 'body.status');
  }
  const updatedAt = isoTime(now);
  const fields = (identity: Identity) => ({ displayName: identity.displayName, status: identity.status });
  const changes = changedFields(fields(current), { ...fields(current), ...patch });
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('identities')
      .set({
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updated_at: updatedAt,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
    await forgetAfterCommit(trx);
    await audit?.(trx, { action: 'identity.changed', subjectType: 'identity', subjectId: id, changes });
  });
  return { ...current, ...patch, updatedAt };
}
