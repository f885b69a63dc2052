/**
 * Requests counted per client and route group in fixed windows, in the database, so that every
 * process on one PostgreSQL draws on the same count: one upsert a request, as tenants' API rate
 * limit does (`tenants/rate-limit.ts`).
 */
import type { Db } from '#db';
import { fixedWindow } from '#common/fixed-window';
import { isoTime } from '#common/json';

/** One route group's budget: `limit` requests per client in each window of `windowSeconds`. */
export interface ClientBudget {
  readonly group: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/** Where a client stands after one request: allowed or not, what is left, when the window ends. */
export interface ClientDecision {
  readonly allowed: boolean;
  readonly remaining: number;
  readonly resetSeconds: number;
}

/** Counts one request of `client` in `budget`'s current window, in one statement. */
export async function countClientRequest(
  db: Db,
  budget: ClientBudget,
  client: string,
  now: Date,
): Promise<ClientDecision> {
  const window = fixedWindow(now, budget.windowSeconds * 1000);
  const row = await db
    .insertInto('client_limit_windows')
    .values({ route_group: budget.group, client, window_start: window.start, count: 1 })
    .onConflict((oc) =>
      oc
        .columns(['route_group', 'client', 'window_start'])
        .doUpdateSet((eb) => ({ count: eb('client_limit_windows.count', '+', 1) })),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return {
    allowed: row.count <= budget.limit,
    remaining: Math.max(0, budget.limit - row.count),
    resetSeconds: window.secondsLeft,
  };
}

/** Drops windows that ended more than an hour ago (no window is longer than an hour). */
export async function pruneClientWindows(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('client_limit_windows')
    .where('window_start', '<', isoTime(new Date(now.getTime() - 2 * 3600_000)))
    .execute();
}
