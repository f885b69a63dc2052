import type { Db } from '#db';
import { tenantError } from './errors';

/**
 * Takes the tenant row's lock for the rest of `trx`, for work that must serialise per tenant where
 * no unique index can: a no-op UPDATE takes a row lock on PostgreSQL (a no-key update, so inserts
 * referencing the tenant are not blocked) and the write lock on SQLite, without an engine switch.
 * Throws tenant_not_found.
 */
export async function lockTenantRow(trx: Db, tenantId: string): Promise<void> {
  const locked = await trx
    .updateTable('tenants')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (locked.numUpdatedRows === 0n) throw tenantError('tenant_not_found');
}
