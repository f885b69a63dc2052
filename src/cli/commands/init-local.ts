import { migrateToLatest, openStore } from '#db';
import { createTenant, isEmptyStore, type CreatedTenant } from '#tenants';
import { bootstrapFirstTenant } from '../../bootstrap';
import { usageError } from '../errors';
import { readServerConfig } from '../server-config';

/** What `usher init` made in a store it opened itself. */
export interface LocalInit {
  readonly created: CreatedTenant;
  /** Where a server on this configuration serves, for the profile. */
  readonly publicUrl: string;
  /** True when the key is USHER_BOOTSTRAP_API_KEY's value, which is never echoed. */
  readonly keyFromEnvironment: boolean;
}

/**
 * Opens the store the server would open (migrating it), and makes the first tenant when it is empty,
 * or the tenant named by `tenant`. Loaded only by `usher init`: other commands never touch a database.
 */
export async function initLocalStore(options: { databaseUrl?: string; tenant?: string }): Promise<LocalInit> {
  const config = readServerConfig(options.databaseUrl);
  const store = openStore(config.databaseUrl);
  try {
    await migrateToLatest(store.db);
    const now = new Date();
    if (options.tenant === undefined) {
      const created = await bootstrapFirstTenant(store.db, config.bootstrapApiKey, now, config.tenantName);
      if (!created) {
        throw usageError(
          `${config.databaseUrl} already has a tenant: pass --tenant <name> to add another, or use its key with \`usher init --url <url> --api-key <key>\``,
        );
      }
      return { created, publicUrl: config.publicUrl, keyFromEnvironment: config.bootstrapApiKey !== undefined };
    }
    // The first tenant of a store gets the operator key, however it was named, as on the server's first start.
    const created = await createTenant(store.db, { name: options.tenant, operator: await isEmptyStore(store.db) }, now);
    return { created, publicUrl: config.publicUrl, keyFromEnvironment: false };
  } finally {
    await store.close();
  }
}
