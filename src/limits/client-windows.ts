/**
 * Requests counted per client and route group in fixed windows, shared through the database by every process on one
 * PostgreSQL, but not written on every request: a process counts the lower half of a budget in memory and adds it to
 * the database in one statement a second, and counts the upper half in the database, request by request.
 *
 * Why not one upsert a request, as before: every anonymous request (an accept page's view, an accept, a DIDComm
 * envelope) then wrote a row, and all requests from one address (a NAT, a proxy not declared trusted, the bench's load
 * generator) updated the same row. On a durable PostgreSQL each update holds that row's lock until its commit is on
 * disk, so they queued behind each other: the bench measured 77-99% of an accept's and a view's statement time in
 * that upsert, 7 ms a call, waiting on the row (issue 28). Far from its limit a client needs no exact count; near it,
 * it gets one.
 */
import type { Db } from '#db';
import type { Clock } from '#common/clock';
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

/** How often counts kept in memory are added to the database's. */
export const CLIENT_COUNT_FLUSH_MS = 1_000;

/** What this process knows of one client's window. */
interface Tally {
  readonly group: string;
  readonly client: string;
  readonly windowStart: string;
  readonly windowEndsMs: number;
  /** The database's count when this process last wrote to it (its own writes included). */
  shared: number;
  /** Requests counted here and not yet in the database. */
  pending: number;
}

type CountRow = { route_group: string; client: string; window_start: string; count: number };

/** Adds each tally's pending requests to the database's count in one statement and learns the new totals. */
async function addToShared(db: Db, tallies: readonly Tally[], extra = 0): Promise<CountRow[]> {
  return db
    .insertInto('client_limit_windows')
    .values(
      tallies.map((tally) => ({
        route_group: tally.group,
        client: tally.client,
        window_start: tally.windowStart,
        count: tally.pending + extra,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['route_group', 'client', 'window_start'])
        .doUpdateSet((eb) => ({ count: eb('client_limit_windows.count', '+', eb.ref('excluded.count')) })),
    )
    .returning(['route_group', 'client', 'window_start', 'count'])
    .execute();
}

/**
 * A process's counter of anonymous requests. Within a budget's lower half a request is counted in memory, on top of
 * the shared count this process last learned, and the decision is its own; past half, the request is added to the
 * database at once and decided on the shared count. One process is exact. P processes on one database admit at most
 * `limit + (P - 1) * limit / 2` in a window, when each counts a client's burst in its lower half before any has
 * written; each learns the others' counts whenever it writes its own, every second while it counts.
 */
export function createClientCounter(db: Db, clock: Clock, options: { readonly flushMs?: number } = {}) {
  const flushMs = options.flushMs ?? CLIENT_COUNT_FLUSH_MS;
  const tallies = new Map<string, Tally>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;

  const learn = (rows: readonly CountRow[]) => {
    for (const row of rows) {
      const tally = tallies.get(`${row.route_group}\u0000${row.client}\u0000${row.window_start}`);
      if (tally) tally.shared = Math.max(tally.shared, Number(row.count));
    }
  };

  async function flush(): Promise<void> {
    timer = null;
    const now = clock.now().getTime();
    const due = [...tallies.values()].filter((tally) => tally.pending > 0);
    for (const [key, tally] of tallies) if (tally.pending === 0 && tally.windowEndsMs <= now) tallies.delete(key);
    if (due.length === 0) return;
    const counts = due.map((tally) => tally.pending);
    for (const tally of due) tally.pending = 0;
    try {
      learn(
        await addToShared(
          db,
          due.map((tally, i) => ({ ...tally, pending: counts[i]! })),
        ),
      );
    } catch {
      // The store is closing or unavailable: these counts are lost, which only ever admits more, never fewer.
    }
  }

  const schedule = () => {
    if (timer) return;
    timer = setTimeout(() => void (flushing = flush().finally(() => (flushing = null))), flushMs);
    timer.unref();
  };

  return {
    /** Counts one request of `client` in `budget`'s current window. */
    async count(budget: ClientBudget, client: string, now: Date): Promise<ClientDecision> {
      const windowMs = budget.windowSeconds * 1000;
      const window = fixedWindow(now, windowMs);
      const key = `${budget.group}\u0000${client}\u0000${window.start}`;
      let tally = tallies.get(key);
      if (!tally) {
        const windowEndsMs = Date.parse(window.start) + windowMs;
        tally = { group: budget.group, client, windowStart: window.start, windowEndsMs, shared: 0, pending: 0 };
        tallies.set(key, tally);
      }
      let total = tally.shared + tally.pending + 1;
      if (total * 2 <= budget.limit) {
        tally.pending += 1;
        schedule();
      } else {
        // The upper half: this request and what is pending go into the database now, and the answer is its count.
        const pending = tally.pending;
        tally.pending = 0;
        const [row] = await addToShared(db, [{ ...tally, pending }], 1);
        total = Number(row!.count);
        tally.shared = Math.max(tally.shared, total);
      }
      return {
        allowed: total <= budget.limit,
        remaining: Math.max(0, budget.limit - total),
        resetSeconds: window.secondsLeft,
      };
    },

    /** Writes what is counted in memory now (tests; a stopping process may call it). */
    async flush(): Promise<void> {
      if (timer) clearTimeout(timer);
      await flushing;
      await flush();
    },
  };
}

export type ClientCounter = ReturnType<typeof createClientCounter>;

/** Drops windows that ended more than an hour ago (no window is longer than an hour). */
export async function pruneClientWindows(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('client_limit_windows')
    .where('window_start', '<', isoTime(new Date(now.getTime() - 2 * 3600_000)))
    .execute();
}
