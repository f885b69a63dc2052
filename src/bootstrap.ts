import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '#db';
import { isUniqueViolation } from '#db';
import { insertTenant, isEmptyStore, type CreatedTenant } from '#tenants';

/** Any constant: it names the lock processes take turns on while they look for an empty store. */
const BOOTSTRAP_LOCK = 7_531_001;

/**
 * On first start with an empty store: one tenant named `tenantName` (USHER_TENANT_NAME, "Default"
 * unless set), its default identity, which takes the same name, and an operator key
 * (USHER_BOOTSTRAP_API_KEY when set). Returns null when the store already had a tenant.
 */
export async function bootstrapFirstTenant(
  db: Kysely<Database>,
  bootstrapApiKey: string | undefined,
  now: Date,
  tenantName = 'Default',
): Promise<CreatedTenant | null> {
  try {
    return await db.transaction().execute(async (trx) => {
      // Processes started together on an empty PostgreSQL database would each find it empty and each
      // make a tenant with its own random key; the lock makes them look one after the other.
      if (db.getExecutor().adapter instanceof PostgresAdapter)
        await sql`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`.execute(trx);
      if (!(await isEmptyStore(trx))) return null;
      return insertTenant(
        trx,
        { name: tenantName, operator: true, ...(bootstrapApiKey ? { apiKeySecret: bootstrapApiKey } : {}) },
        now,
      );
    });
  } catch (error) {
    // SQLite: another process sharing the file bootstrapped with the same key a moment earlier.
    if (isUniqueViolation(error)) return null;
    throw error;
  }
}
