import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { openStore } from '#db';
import { describeEachStore, useScratchStore } from '#support/stores';
import { newId } from '#common/ids';
import { nextInvitationNumber } from './numbered-insert';
import { NUMBER_BLOCK } from './number-blocks';
import type { Store } from '#db';

/** A number taken in a transaction of its own, as a create takes it. */
const take = (store: Store) => store.db.transaction().execute((trx) => nextInvitationNumber(trx, newId(Date.now())));

describeEachStore('invitation numbers', (engine) => {
  const store = useScratchStore(engine);

  it('hands concurrent creates distinct numbers, increasing within a process', async () => {
    const first = await take(store.current);
    const concurrent = await Promise.all(Array.from({ length: NUMBER_BLOCK + 8 }, () => take(store.current)));
    const all = [first, ...concurrent];
    expect(new Set(all).size).toBe(all.length);
    expect(Math.min(...concurrent)).toBeGreaterThan(first);
    // One after another, each is the next: nobody else draws on this database, so a block follows the one before.
    const a = await take(store.current);
    expect(await take(store.current)).toBe(a + 1);
  });

  // Two stores on one SQLite file in one thread would wait on each other's write lock: SQLite's processes are
  // separate, and their numbers come from the file's AUTOINCREMENT under its write lock.
  if (engine === 'postgres') {
    it('never hands two processes on one database the same number', async () => {
      const other = openStore(await postgresUrl());
      try {
        const numbers = await Promise.all(
          Array.from({ length: 3 * NUMBER_BLOCK }, (_, i) => take(i % 2 === 0 ? store.current : other)),
        );
        expect(new Set(numbers).size).toBe(numbers.length);
        // Each process takes blocks of its own: the next numbers of the two are a block apart, not neighbours.
        const mine = await take(store.current);
        const theirs = await take(other);
        expect(Math.abs(theirs - mine)).toBeGreaterThan(1);
      } finally {
        await other.close();
      }
    });

    it('refills in another create when the refill it waited for failed in an aborted transaction', async () => {
      const fresh = openStore(await postgresUrl());
      try {
        // Two connections open, so the second create starts while the first one's refill is on the wire.
        await Promise.all([1, 2].map(() => sql`select pg_sleep(0.02)`.execute(fresh.db)));
        let waiting: Promise<number> | undefined;
        const aborted = fresh.db.transaction().execute(async (trx) => {
          await sql`select 1 / 0`.execute(trx).catch(() => undefined);
          // The block of a store just opened is empty: this create starts the refill, in a transaction that fails it.
          const mine = nextInvitationNumber(trx, newId(Date.now()));
          waiting = take(fresh);
          return mine;
        });
        await expect(aborted).rejects.toThrow(/aborted/);
        expect(await waiting).toBeGreaterThan(0);
      } finally {
        await fresh.close();
      }
    });
  }

  async function postgresUrl(): Promise<string> {
    const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(store.current.db);
    const url = new URL(process.env.USHER_TEST_POSTGRES_URL!);
    url.pathname = `/${rows[0]!.name}`;
    return url.toString();
  }
});
