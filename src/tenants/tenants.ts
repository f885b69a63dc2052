import { forgetAfterCommit, inTransaction, preparedQuery, type Db, type TenantRow } from '#db';
import { changedFields, type Audit } from '#audit';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { createApiKey, type CreatedApiKey } from './api-keys';
import { tenantError } from './errors';
import { createIdentity, type Identity } from './identities';
import { defaultSettings, parseSettings, TenantSettingsSchema, type TenantSettings } from './settings';

/** The isolation boundary: everything else belongs to exactly one tenant. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly settings: TenantSettings;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A tenant just made, with its default identity and first admin key (shown once). */
export interface CreatedTenant {
  readonly tenant: Tenant;
  readonly identity: Identity;
  readonly apiKey: CreatedApiKey;
}

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    name: row.name,
    settings: parseSettings(row.settings),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Makes a tenant, its default identity and an admin key, in one transaction. */
export async function createTenant(db: Kysely<Database>, input: CreateTenantInput, now: Date): Promise<CreatedTenant> {
  return db.transaction().execute((trx) => insertTenant(trx, input, now));
}

/** What makes a tenant: its name, whether its first key is an operator's, that key's secret, its settings. */
export interface CreateTenantInput {
  readonly name: string;
  readonly operator?: boolean;
  readonly apiKeySecret?: string;
  readonly settings?: Partial<TenantSettings>;
}

/** Creates a tenant with its default identity and first API key inside the caller's transaction. */
export async function insertTenant(trx: Db, input: CreateTenantInput, now: Date): Promise<CreatedTenant> {
  const row: TenantRow = {
    id: newId(now.getTime()),
    name: input.name,
    settings: JSON.stringify(TenantSettingsSchema.parse({ ...defaultSettings, ...input.settings })),
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  await trx.insertInto('tenants').values(row).execute();
  const identity = await createIdentity(trx, { tenantId: row.id, displayName: input.name, isDefault: true }, now);
  const apiKey = await createApiKey(
    trx,
    {
      tenantId: row.id,
      name: 'admin',
      ...(input.operator ? { operator: true } : {}),
      ...(input.apiKeySecret ? { secret: input.apiKeySecret } : {}),
    },
    now,
  );
  return { tenant: toTenant(row), identity, apiKey };
}

const tenantById = preparedQuery((db, p: { id: string }) =>
  db.selectFrom('tenants').selectAll().where('id', '=', p.id),
);

/** The tenant; throws tenant_not_found. */
export async function getTenant(db: Db, id: string): Promise<Tenant> {
  const row = await tenantById.executeTakeFirst(db, { id });
  if (!row) throw tenantError('tenant_not_found');
  return toTenant(row);
}

/** Settings to change; `branding` may be given in part. */
export type TenantSettingsPatch = Partial<Omit<TenantSettings, 'branding' | 'inviteQuotas'>> & {
  branding?: Partial<TenantSettings['branding']>;
  inviteQuotas?: Partial<TenantSettings['inviteQuotas']>;
};

/** Renames the tenant and merges settings (objects such as `branding` merge one level deep). */
export async function updateTenant(
  db: Db,
  id: string,
  patch: { name?: string; settings?: TenantSettingsPatch; renameDefaultIdentity?: boolean },
  now: Date,
  audit?: Audit,
): Promise<Tenant> {
  return inTransaction(db, (trx) => applyTenantPatch(trx, id, patch, now, audit));
}

async function applyTenantPatch(
  db: Db,
  id: string,
  patch: { name?: string; settings?: TenantSettingsPatch; renameDefaultIdentity?: boolean },
  now: Date,
  audit?: Audit,
): Promise<Tenant> {
  const current = await getTenant(db, id);
  if (patch.renameDefaultIdentity && patch.name !== undefined) {
    // The identity a first start named after the tenant ("Default") is what invitation emails say invites.
    await db
      .updateTable('identities')
      .set({ display_name: patch.name, updated_at: isoTime(now) })
      .where('tenant_id', '=', id)
      .where('is_default', '=', 1)
      .execute();
  }
  const merged = { ...current.settings, ...patch.settings };
  if (patch.settings?.branding) merged.branding = { ...current.settings.branding, ...patch.settings.branding };
  if (patch.settings?.inviteQuotas) {
    merged.inviteQuotas = { ...current.settings.inviteQuotas, ...patch.settings.inviteQuotas };
  }
  const settings = TenantSettingsSchema.parse(merged);
  const updatedAt = isoTime(now);
  await db
    .updateTable('tenants')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      settings: JSON.stringify(settings),
      updated_at: updatedAt,
    })
    .where('id', '=', id)
    .execute();
  // Keys carry the settings and inviters the name and settings (recallApiKey, recallInviter).
  await forgetAfterCommit(db);
  const before = { name: current.name, ...current.settings };
  const after = { name: patch.name ?? current.name, ...settings };
  const changes = changedFields(before, after);
  if (Object.keys(changes).length > 0) {
    await audit?.(db, { action: 'settings.changed', subjectType: 'tenant', subjectId: id, changes });
  }
  return { ...current, ...(patch.name !== undefined ? { name: patch.name } : {}), settings, updatedAt };
}

/**
 * The tenant with this id or name (ids first); without either, the oldest tenant, which a first start made. Null when
 * none matches.
 */
export async function findTenantByIdOrName(db: Db, idOrName?: string): Promise<Tenant | null> {
  let query = db.selectFrom('tenants').selectAll();
  if (idOrName !== undefined) query = query.where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]));
  const rows = await query.orderBy('created_at').orderBy('id').limit(2).execute();
  // A name two tenants share names neither; the caller must pass the id.
  if (idOrName !== undefined && rows.length === 2 && rows.every((row) => row.id !== idOrName)) return null;
  const row = rows.find((candidate) => candidate.id === idOrName) ?? rows[0];
  return row ? toTenant(row) : null;
}

/** True when the store holds no tenant yet: first start. */
export async function isEmptyStore(db: Db): Promise<boolean> {
  const row = await db.selectFrom('tenants').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
