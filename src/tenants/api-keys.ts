import { forgetAfterCommit, inTransaction, preparedQuery, type Db, type ShortMemory } from '#db';
import { changedFields, type Audit } from '#audit';
import type { ApiKeyAuth, AuthContext } from '#http/auth';
import { newId } from '#common/ids';
import { hashSecret, newSecret } from '#common/secrets';
import { isoTime } from '#common/json';
import type { ApiKeyRow } from '#db';
import {
  ANY_ROLE,
  assertWithinRights,
  keyRightsOf,
  OPERATOR_SCOPE,
  unrestrictedScopes,
  type KeyRights,
  type Scope,
} from '#common/rights';
import { tenantError } from './errors';
import { parseSettings } from './settings';
import { parseKeyQuota, quotaWithin, type InviteQuota } from './invite-quota';

/** An API key as listed: never the secret. */
export interface ApiKey {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly operator: boolean;
  readonly scopes: Scope[];
  readonly grantableRoles: string[];
  readonly allowedTargets: string[] | null;
  /** Its own invitations per hour and per day; null: the tenant's `inviteQuotas.perKey`. */
  readonly inviteQuota: InviteQuota | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A key just made: the secret is in `key`, shown this once. */
export interface CreatedApiKey extends ApiKey {
  readonly key: string;
}

const KEY_PREFIX = 'usk_';
/** Touching last_used_at on every request would turn reads into writes; once a minute is enough. */
const LAST_USED_GRANULARITY_MS = 60_000;

const copyOf = (rights: KeyRights) => ({
  scopes: [...rights.scopes],
  grantableRoles: [...rights.grantableRoles],
  allowedTargets: rights.allowedTargets ? [...rights.allowedTargets] : null,
});

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    operator: row.operator === 1,
    ...copyOf(keyRightsOf(row)),
    inviteQuota: parseKeyQuota(row.invite_quota),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** What a create request asks for; each absent member is the maker's own (a key made by a key inherits its rights). */
export interface RightsRequest {
  readonly scopes?: readonly Scope[];
  readonly grantableRoles?: readonly string[];
  readonly allowedTargets?: readonly string[] | null;
}

/** A JSON column: null when the rights are unrestricted there, so the key keeps getting what unrestricted means. */
const stored = (values: readonly string[] | null, unrestricted: boolean): string | null =>
  unrestricted || values === null ? null : JSON.stringify(values);

/**
 * Makes a key for the tenant; `secret` lets bootstrap use USHER_BOOTSTRAP_API_KEY. With `maker` (the
 * calling key's rights) the new key is refused 403 if it would have more than its maker has; without,
 * it has the rights asked for, all of them when none are (bootstrap, a new tenant's admin key).
 */
export async function createApiKey(
  db: Db,
  input: {
    tenantId: string;
    name: string;
    operator?: boolean;
    secret?: string;
    rights?: RightsRequest;
    maker?: KeyRights;
    inviteQuota?: InviteQuota | null;
    /** The making key's own quota: inherited when none is asked, and a bound on what is. */
    makerQuota?: InviteQuota | null;
    /** Records the creation in the same transaction (absent: bootstrap, the local CLI, a new tenant's admin key). */
    audit?: Audit;
  },
  now: Date,
): Promise<CreatedApiKey> {
  const key = input.secret ?? newSecret(KEY_PREFIX);
  const asked = input.rights ?? {};
  // An operator's key inherits the rest of its rights, never tenant management: that is asked for by name.
  const inherited = input.maker
    ? { ...input.maker, scopes: input.maker.scopes.filter((scope) => scope !== OPERATOR_SCOPE) }
    : undefined;
  const rights: KeyRights | undefined =
    inherited || input.rights
      ? {
          scopes: asked.scopes ?? inherited?.scopes ?? unrestrictedScopes(false),
          grantableRoles: asked.grantableRoles ?? inherited?.grantableRoles ?? [ANY_ROLE],
          allowedTargets:
            asked.allowedTargets !== undefined ? asked.allowedTargets : (inherited?.allowedTargets ?? null),
        }
      : undefined;
  if (input.maker && rights) assertWithinRights(input.maker, rights);
  const inviteQuota = input.inviteQuota === undefined ? (input.makerQuota ?? null) : input.inviteQuota;
  assertQuotaWithin(input.makerQuota ?? null, inviteQuota);
  const operator = input.operator === true || (rights?.scopes.includes(OPERATOR_SCOPE) ?? false);
  const row: ApiKeyRow = {
    id: newId(now.getTime()),
    tenant_id: input.tenantId,
    name: input.name,
    prefix: key.slice(0, 10),
    key_hash: hashSecret(key),
    operator: operator ? 1 : 0,
    created_at: isoTime(now),
    last_used_at: null,
    revoked_at: null,
    // A key with every scope it could have is stored as null, like keys made before scopes: it keeps full rights.
    scopes: rights ? stored(rights.scopes, fullScopes(rights.scopes, operator)) : null,
    grantable_roles: rights ? stored(rights.grantableRoles, rights.grantableRoles.includes(ANY_ROLE)) : null,
    allowed_targets: rights ? stored(rights.allowedTargets, false) : null,
    invite_quota: inviteQuota ? JSON.stringify(inviteQuota) : null,
  };
  const created = toApiKey(row);
  await inTransaction(db, async (trx) => {
    await trx.insertInto('api_keys').values(row).execute();
    await forgetAfterCommit(trx);
    const { name, operator: isOperator, scopes, grantableRoles, allowedTargets } = created;
    const changes = { name, operator: isOperator, scopes, grantableRoles, allowedTargets };
    await input.audit?.(trx, { action: 'key.created', subjectType: 'api_key', subjectId: row.id, changes });
  });
  return { ...created, key };
}

const fullScopes = (scopes: readonly Scope[], operator: boolean): boolean =>
  unrestrictedScopes(operator).every((scope) => scopes.includes(scope));

function assertQuotaWithin(own: InviteQuota | null, asked: InviteQuota | null): void {
  if (!quotaWithin(own, asked)) {
    const detail = `this key may create ${JSON.stringify(own)} invitations; it cannot give a key more`;
    throw tenantError('invite_quota_above_own', detail, 'body.inviteQuota');
  }
}

/** What the invitation service checks of the key creating an invitation: its rights and its own quota. */
export interface InvitingKey {
  readonly rights: KeyRights;
  /** null: the tenant's default key quota applies. */
  readonly inviteQuota: InviteQuota | null;
}

/**
 * The rights and quota of one of the tenant's keys, or null when it does not exist: the invitation
 * service's ceiling and quota at create, read in one statement.
 */
export async function findInvitingKey(db: Db, tenantId: string, id: string): Promise<InvitingKey | null> {
  const row = await db
    .selectFrom('api_keys')
    .select(['operator', 'scopes', 'grantable_roles', 'allowed_targets', 'invite_quota'])
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { rights: keyRightsOf(row), inviteQuota: parseKeyQuota(row.invite_quota) } : null;
}

/**
 * Gives one of the tenant's keys its own invitation quota, or (null) returns it to the tenant's default.
 * Never the calling key's own: a limited key would lift its limit (403 `api_key_own_quota`).
 */
export async function setKeyInviteQuota(
  db: Db,
  auth: AuthContext,
  id: string,
  inviteQuota: InviteQuota | null,
  audit?: Audit,
): Promise<ApiKey> {
  if (id === auth.apiKeyId) {
    throw tenantError('api_key_own_quota', "another key with keys:manage sets this key's quota", 'path.id');
  }
  assertQuotaWithin((await findInvitingKey(db, auth.tenantId, auth.apiKeyId))?.inviteQuota ?? null, inviteQuota);
  return inTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('api_keys')
      .select('invite_quota')
      .where('tenant_id', '=', auth.tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!before) throw tenantError('api_key_not_found', undefined, 'path.id');
    const row = await trx
      .updateTable('api_keys')
      .set({ invite_quota: inviteQuota ? JSON.stringify(inviteQuota) : null })
      .where('tenant_id', '=', auth.tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await forgetAfterCommit(trx);
    const changes = changedFields({ inviteQuota: parseKeyQuota(before.invite_quota) }, { inviteQuota });
    // A patch that changes nothing leaves no entry, as for settings.
    if (Object.keys(changes).length > 0) {
      await audit?.(trx, { action: 'key.changed', subjectType: 'api_key', subjectId: id, changes });
    }
    return toApiKey(row);
  });
}

/** The tenant's keys, newest first, revoked ones included. */
export async function listApiKeys(db: Db, tenantId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .execute();
  return rows.map(toApiKey);
}

/** Revokes a key of the tenant; revoking twice is harmless, revoking the calling key is refused. */
export async function revokeApiKey(db: Db, auth: AuthContext, id: string, now: Date, audit?: Audit): Promise<ApiKey> {
  if (id === auth.apiKeyId) throw tenantError('api_key_in_use', 'use another key to revoke this one', 'path.id');
  const row = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('tenant_id', '=', auth.tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw tenantError('api_key_not_found', undefined, 'path.id');
  if (row.revoked_at) return toApiKey(row);
  const revokedAt = isoTime(now);
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('api_keys')
      .set({ revoked_at: revokedAt })
      .where('id', '=', id)
      .where('tenant_id', '=', auth.tenantId)
      .execute();
    await forgetAfterCommit(trx);
    await audit?.(trx, { action: 'key.revoked', subjectType: 'api_key', subjectId: id, changes: { name: row.name } });
  });
  return toApiKey({ ...row, revoked_at: revokedAt });
}

// The tenant's settings as a scalar subquery, not a join: see "Statement shapes" in docs/architecture.md.
const keyByHash = preparedQuery((db, p: { hash: string }) =>
  db
    .selectFrom('api_keys')
    .select([
      'id',
      'name',
      'tenant_id',
      'operator',
      'last_used_at',
      'revoked_at',
      'scopes',
      'grantable_roles',
      'allowed_targets',
      'invite_quota',
    ])
    .select((eb) =>
      eb.selectFrom('tenants').select('settings').whereRef('tenants.id', '=', 'api_keys.tenant_id').as('settings'),
    )
    .where('key_hash', '=', p.hash),
);

/**
 * Resolves a presented key by its hash; null for unknown or revoked keys. The tenant's rate
 * limit comes in the same query: every authenticated request needs both, and a second read of
 * the tenant was a statement per request (bench).
 */
export function authenticateApiKey(db: Db, presented: string, now: Date): Promise<ApiKeyAuth | null> {
  return authenticateKeyHash(db, hashSecret(presented), now);
}

/**
 * authenticateApiKey through `memory`: a busy key costs a read a second instead of one a request (the read was one of
 * a list page's two statements). Remembered by the key's hash, never the key; unknown and revoked keys are read each
 * time. A revocation, a quota or a tenant's settings changed through this process take effect at once, through
 * another within the memory's time.
 */
export function recallApiKey(memory: ShortMemory, db: Db, presented: string, now: Date): Promise<ApiKeyAuth | null> {
  const hash = hashSecret(presented);
  return memory.recall(`api-key:${hash}`, () => authenticateKeyHash(db, hash, now));
}

/** authenticateApiKey for a key already hashed. */
export async function authenticateKeyHash(db: Db, hash: string, now: Date): Promise<ApiKeyAuth | null> {
  const row = await keyByHash.executeTakeFirst(db, { hash });
  if (!row || row.revoked_at || row.settings === null) return null;
  if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > LAST_USED_GRANULARITY_MS) {
    await db
      .updateTable('api_keys')
      .set({ last_used_at: isoTime(now) })
      .where('id', '=', row.id)
      .execute();
  }
  return {
    tenantId: row.tenant_id,
    apiKeyId: row.id,
    apiKeyName: row.name,
    operator: row.operator === 1,
    rights: keyRightsOf(row),
    inviteQuota: parseKeyQuota(row.invite_quota),
    rateLimitPerMinute: parseSettings(row.settings).rateLimitPerMinute,
  };
}
