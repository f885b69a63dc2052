import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { isUniqueViolation } from '#db';
import { createTenant, isEmptyStore, type CreatedTenant } from '#tenants';

/**
 * On first start with an empty store: one tenant, its default identity and an operator key
 * (USHER_BOOTSTRAP_API_KEY when set). Returns null when the store already had a tenant.
 */
export async function bootstrapFirstTenant(db: Kysely<Database>, bootstrapApiKey: string | undefined, now: Date): Promise<CreatedTenant | null> {
  if (!(await isEmptyStore(db))) return null;
  try {
    return await createTenant(db, { name: 'Default', operator: true, ...(bootstrapApiKey ? { apiKeySecret: bootstrapApiKey } : {}) }, now);
  } catch (error) {
    // Another process sharing the database bootstrapped with the same key a moment earlier.
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}
