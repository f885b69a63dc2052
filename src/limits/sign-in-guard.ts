/**
 * Console sign-in slows down after failures, per client: the first few failures cost nothing (a
 * mistyped key), then each one locks the client out for twice as long as the last, up to 15
 * minutes; a successful sign-in clears the count. A lockout refuses at once, without looking at
 * the key, so a guesser learns nothing while it lasts and holds no connection open waiting.
 */
import type { Context } from 'hono';
import type { Db } from '#db';
import type { Clock } from '#common/clock';
import { isoTime } from '#common/json';
import type { ClientAddressOf } from './client-address';

/** Failures in a row before the first lockout. */
export const FREE_SIGN_IN_FAILURES = 5;
/** The longest lockout, in seconds. */
export const MAX_SIGN_IN_LOCKOUT_SECONDS = 15 * 60;
/** A client whose last failure is this old starts again from nothing. */
const FORGET_AFTER_MS = 24 * 3600_000;

/** The lockout after the `failures`-th failure in a row: 0, then 2 s, 4 s, 8 s … capped at 15 minutes. */
export function signInLockoutSeconds(failures: number): number {
  if (failures <= FREE_SIGN_IN_FAILURES) return 0;
  return Math.min(MAX_SIGN_IN_LOCKOUT_SECONDS, 2 ** Math.min(failures - FREE_SIGN_IN_FAILURES, 20));
}

/** Seconds before `client` may try to sign in again; 0 when it may now. */
export async function signInLockedFor(db: Db, client: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('sign_in_failures')
    .select('locked_until')
    .where('client', '=', client)
    .executeTakeFirst();
  const left = row ? Date.parse(row.locked_until) - now.getTime() : 0;
  return left > 0 ? Math.ceil(left / 1000) : 0;
}

/** Counts a failed sign-in of `client` and returns the lockout it now serves, in seconds. */
export async function recordSignInFailure(db: Db, client: string, now: Date): Promise<number> {
  const at = isoTime(now);
  const { failures } = await db
    .insertInto('sign_in_failures')
    .values({ client, failures: 1, locked_until: at, last_failure_at: at })
    .onConflict((oc) =>
      oc
        .column('client')
        .doUpdateSet((eb) => ({ failures: eb('sign_in_failures.failures', '+', 1), last_failure_at: at })),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  const seconds = signInLockoutSeconds(failures);
  if (seconds > 0) {
    const until = isoTime(new Date(now.getTime() + seconds * 1000));
    await db.updateTable('sign_in_failures').set({ locked_until: until }).where('client', '=', client).execute();
  }
  return seconds;
}

/** Forgets `client`'s failures: it signed in. */
export async function clearSignInFailures(db: Db, client: string): Promise<void> {
  await db.deleteFrom('sign_in_failures').where('client', '=', client).execute();
}

/** Forgets clients whose last failure is a day old. */
export async function pruneSignInFailures(db: Db, now: Date): Promise<void> {
  await db
    .deleteFrom('sign_in_failures')
    .where('last_failure_at', '<', isoTime(new Date(now.getTime() - FORGET_AFTER_MS)))
    .execute();
}

/** The console's view of the above, for the request at hand; a request with no client is never locked. */
export interface SignInGuard {
  /** Seconds the caller must still wait before its sign-in is looked at; 0 when it may try now. */
  lockedFor(c: Context): Promise<number>;
  /** Counts a failure; returns the lockout it starts, in seconds (0 for the first few). */
  failed(c: Context): Promise<number>;
  succeeded(c: Context): Promise<void>;
}

export function createSignInGuard({
  db,
  clock,
  clientOf,
}: {
  db: Db;
  clock: Clock;
  clientOf: ClientAddressOf;
}): SignInGuard {
  const withClient = <T>(c: Context, none: T, run: (client: string) => Promise<T>): Promise<T> => {
    const client = clientOf(c);
    return client === null ? Promise.resolve(none) : run(client);
  };
  return {
    lockedFor: (c) => withClient(c, 0, (client) => signInLockedFor(db, client, clock.now())),
    failed: (c) => withClient(c, 0, (client) => recordSignInFailure(db, client, clock.now())),
    succeeded: (c) => withClient(c, undefined, (client) => clearSignInFailures(db, client)),
  };
}
