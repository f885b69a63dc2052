/** Provider accounts for every surface: create, list with their quota, delete, and what the provider itself answers. */
import type { Kysely } from 'kysely';
import type { Database, ProviderAccountRow } from '#db';
import type { Clock } from '#common/clock';
import type { Audit } from '#audit';
import {
  deleteAccount,
  getAccountRow,
  insertAccount,
  listAccountRows,
  toAccount,
  type CreateAccountInput,
  type ProviderAccount,
} from './accounts';
import type { ConnectorFailure, ListedInvitation, ProviderConnector, ProviderUser } from './connector';
import { providerError } from './errors';
import { quotaSnapshot, WINDOWS, type QuotaSnapshot } from './pacing';
import { heldSlots } from './sends';
import { refusedHostReason } from './http';
import { baseUrlOf, createUnipileConnector, type UnipileConnectorOptions } from './unipile-connector';

/** An account with where its quota stands. */
export interface ProviderAccountView extends ProviderAccount {
  readonly quota: QuotaSnapshot;
}

/** What the service needs; `connector` tunes the transport (tests retry faster). */
export interface ProviderServiceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly allowPrivateNetwork: boolean;
  readonly connector?: Partial<UnipileConnectorOptions>;
}

/** The connector for a stored account: every account speaks the Unipile API today. */
export function connectorFor(
  row: ProviderAccountRow,
  deps: Pick<ProviderServiceDeps, 'allowPrivateNetwork' | 'connector'>,
): ProviderConnector {
  return createUnipileConnector(
    { dsn: row.dsn, apiKey: row.api_key, accountId: row.account_id },
    { ...deps.connector, allowPrivateNetwork: deps.allowPrivateNetwork },
  );
}

/**
 * A failed call to the provider as a refusal: its 404 is "no such user", a DSN the address policy
 * refuses is the account's fault (a 4xx naming it, not a 502), anything else a 502 with the provider's words.
 */
function refusal(failure: ConnectorFailure, field: string) {
  if (failure.refused) return providerError('provider_address_refused', failure.detail, 'path.id');
  const extra = { providerStatus: failure.status, providerType: failure.type };
  if (failure.status === 404) return providerError('provider_user_not_found', failure.detail, field, extra);
  return providerError('provider_unavailable', failure.detail, undefined, extra);
}

export type ProviderAccountService = ReturnType<typeof createProviderAccountService>;

/** The provider-account rules, for the native API and any other surface. */
export function createProviderAccountService(deps: ProviderServiceDeps) {
  const { db, clock } = deps;

  async function view(row: ProviderAccountRow): Promise<ProviderAccountView> {
    const account = toAccount(row);
    const now = clock.now();
    const held = await heldSlots(db, row.id, new Date(now.getTime() - WINDOWS.month));
    return { ...account, quota: quotaSnapshot(account.limits, held, now) };
  }

  return {
    /**
     * Refuses a DSN the address policy would refuse on every call, unless private networks are allowed.
     * `audit` records the connection (never the API key) in the same transaction.
     */
    async create(tenantId: string, input: CreateAccountInput, audit?: Audit): Promise<ProviderAccountView> {
      const refused = deps.allowPrivateNetwork ? null : refusedHostReason(new URL(baseUrlOf(input.dsn)));
      if (refused) throw providerError('provider_address_refused', refused, 'body.dsn');
      const account = await db.transaction().execute(async (trx) => {
        const made = await insertAccount(trx, tenantId, input, clock.now());
        const { provider, name, dsn, accountId, plan, limitOverrides } = made;
        const changes = { provider, name, dsn, accountId, plan, limitOverrides };
        await audit?.(trx, {
          action: 'provider_account.created',
          subjectType: 'provider_account',
          subjectId: made.id,
          changes,
        });
        return made;
      });
      return view(await getAccountRow(db, tenantId, account.id));
    },

    async list(tenantId: string): Promise<ProviderAccountView[]> {
      return Promise.all((await listAccountRows(db, tenantId)).map(view));
    },

    async get(tenantId: string, id: string): Promise<ProviderAccountView> {
      return view(await getAccountRow(db, tenantId, id));
    },

    async delete(tenantId: string, id: string, audit?: Audit): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await deleteAccount(trx, tenantId, id);
        await audit?.(trx, { action: 'provider_account.deleted', subjectType: 'provider_account', subjectId: id });
      });
    },

    /** Asks the provider who a public identifier (or provider id) is. */
    async resolveUser(tenantId: string, id: string, identifier: string): Promise<ProviderUser> {
      const result = await connectorFor(await getAccountRow(db, tenantId, id), deps).resolveUser(identifier);
      if (!result.ok) throw refusal(result, 'path.identifier');
      return result.value;
    },

    /** The provider's own list of invitations this account sent that are still pending. */
    async listSent(
      tenantId: string,
      id: string,
      page: { cursor?: string; limit?: number },
    ): Promise<{ data: ListedInvitation[]; cursor: string | null }> {
      const result = await connectorFor(await getAccountRow(db, tenantId, id), deps).listSent(page);
      if (!result.ok) throw refusal(result, 'path.id');
      return { data: result.value.items, cursor: result.value.cursor };
    },
  };
}
