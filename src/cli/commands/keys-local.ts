import { migrateToLatest, openStore } from '#db';
import { createAuditTrail, LOCAL_OPERATOR } from '#audit';
import { systemClock } from '#common/clock';
import { createAuditWebhookSink } from '#delivery';
import { createApiKey, findTenantByIdOrName, type CreatedApiKey, type InviteQuota, type Tenant } from '#tenants';
import { usageError } from '../errors';
import { readServerConfig } from '../server-config';

/**
 * Makes a key by opening the store the server would open, for an operator who has no key to ask the API with
 * (the first one lost, or USHER_BOOTSTRAP_API_KEY ignored on a store that already had a tenant). Loaded only by
 * `usher keys create --local`: other commands never touch a database.
 */
export async function createLocalKey(options: {
  name: string;
  databaseUrl?: string;
  tenant?: string;
  operator: boolean;
  /** Its own invitation quota; null: the tenant's default. */
  inviteQuota: InviteQuota | null;
}): Promise<{ key: CreatedApiKey; tenant: Tenant }> {
  const store = openStore(readServerConfig(options.databaseUrl).databaseUrl);
  try {
    await migrateToLatest(store.db);
    const tenant = await findTenantByIdOrName(store.db, options.tenant);
    if (!tenant) {
      throw usageError(
        options.tenant === undefined
          ? 'the store has no tenant yet: run `usher init` or start the server once'
          : `no tenant with the id or the (unique) name "${options.tenant}"`,
      );
    }
    // Recorded as the local operator's, and queued as audit.recorded for the server's worker to send.
    const trail = createAuditTrail({ clock: systemClock, sink: createAuditWebhookSink() });
    const audit = trail.scope(tenant.id, LOCAL_OPERATOR);
    const key = await createApiKey(
      store.db,
      { tenantId: tenant.id, name: options.name, operator: options.operator, inviteQuota: options.inviteQuota, audit },
      new Date(),
    );
    return { key, tenant };
  } finally {
    await store.close();
  }
}
