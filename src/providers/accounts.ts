/** Provider accounts in the store: created with their API key, shown without it, deleted with their sends. */
import type { Db, Engine, ProviderAccountRow } from '#db';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import { providerError } from './errors';
import { effectiveLimits, type LimitOverrides, type Plan, type Provider, type ProviderLimits } from './limits';

/** A provider account as the API shows it: never with its API key. */
export interface ProviderAccount {
  readonly id: string;
  readonly provider: Provider;
  readonly name: string | null;
  readonly dsn: string;
  readonly accountId: string;
  readonly plan: Plan;
  /** The limits in force: the plan's defaults with the overrides on top. */
  readonly limits: ProviderLimits;
  /** Only what the operator set. */
  readonly limitOverrides: LimitOverrides;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What creating an account takes. */
export interface CreateAccountInput {
  readonly provider: Provider;
  readonly name?: string | undefined;
  readonly dsn: string;
  readonly apiKey: string;
  readonly accountId: string;
  readonly plan: Plan;
  readonly limits?: LimitOverrides | undefined;
}

/** Maps a stored row to the API's view. */
export function toAccount(row: ProviderAccountRow): ProviderAccount {
  const overrides = parseJson<LimitOverrides>(row.limit_overrides, {});
  const provider = row.provider as Provider;
  const plan = row.plan as Plan;
  return {
    id: row.id,
    provider,
    name: row.name,
    dsn: row.dsn,
    accountId: row.account_id,
    plan,
    limits: effectiveLimits(provider, plan, overrides),
    limitOverrides: overrides,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Stores a new account. The API key is kept in clear, like webhook secrets: each call to the provider presents it. */
export async function insertAccount(
  db: Db,
  tenantId: string,
  input: CreateAccountInput,
  now: Date,
): Promise<ProviderAccount> {
  const row: ProviderAccountRow = {
    id: newId(now.getTime()),
    tenant_id: tenantId,
    provider: input.provider,
    name: input.name ?? null,
    dsn: input.dsn,
    api_key: input.apiKey,
    account_id: input.accountId,
    plan: input.plan,
    limit_overrides: JSON.stringify(input.limits ?? {}),
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  await db.insertInto('provider_accounts').values(row).execute();
  return toAccount(row);
}

/** The tenant's accounts, oldest first. */
export async function listAccountRows(db: Db, tenantId: string): Promise<ProviderAccountRow[]> {
  return db
    .selectFrom('provider_accounts')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * One account of the tenant; throws provider_account_not_found naming `field`. With `lock` on
 * PostgreSQL the row is held FOR UPDATE, so two invitations through one account take slots one
 * after the other (SQLite runs one write transaction at a time anyway).
 */
export async function getAccountRow(
  db: Db,
  tenantId: string,
  id: string,
  field = 'path.id',
  lock?: Engine,
): Promise<ProviderAccountRow> {
  let query = db.selectFrom('provider_accounts').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (lock === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw providerError('provider_account_not_found', `no provider account ${id} in this tenant`, field);
  return row;
}

/** An account by id alone, for the worker, whose outbox row already names the tenant's send; null once deleted. */
export async function findAccountRow(db: Db, id: string): Promise<ProviderAccountRow | null> {
  return (await db.selectFrom('provider_accounts').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/** Deletes an account and its pacing history; sends still queued for it are skipped when their time comes. */
export async function deleteAccount(db: Db, tenantId: string, id: string): Promise<void> {
  await getAccountRow(db, tenantId, id);
  await db.deleteFrom('provider_sends').where('tenant_id', '=', tenantId).where('account_id', '=', id).execute();
  await db.deleteFrom('provider_accounts').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
