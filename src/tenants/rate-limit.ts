/**
 * A tenant's request budget: a fixed one-minute window counted in the database, so every
 * process behind a load balancer draws on the same budget.
 */
import type { Db } from '#db';
import { isoTime } from '#common/json';
import { fixedWindow } from '#common/fixed-window';

/** Whether a request fits the budget, and if not, how long until the next window opens. */
export type RateDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number; readonly limit: number };

const WINDOW_MS = 60_000;

/**
 * Counts one request of the tenant against `limit` (its `rateLimitPerMinute`, which the caller
 * read with the API key); tenants without a limit (the default) are allowed without a write.
 */
export async function consumeRequest(db: Db, tenantId: string, limit: number | null, now: Date): Promise<RateDecision> {
  if (limit === null) return { allowed: true };
  const window = fixedWindow(now, WINDOW_MS);
  const row = await db
    .insertInto('rate_limit_windows')
    .values({ tenant_id: tenantId, window_start: window.start, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'window_start'])
        .doUpdateSet((eb) => ({ count: eb('rate_limit_windows.count', '+', 1) })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  if (row.count <= limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: window.secondsLeft, limit };
}

/** Drops windows older than an hour. */
export async function pruneRateLimitWindows(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('rate_limit_windows')
    .where('window_start', '<', isoTime(new Date(now.getTime() - 3600_000)))
    .execute();
}
