import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachStore, useScratchStore } from '#support/stores';
import { afterCommit } from './index';

describeEachStore('afterCommit', (engine) => {
  const store = useScratchStore(engine);

  it('runs a callback once its transaction has committed, when another connection can see the work, and never on rollback', async () => {
    const { db } = store.current;
    await sql`create table after_commit_probe (id text)`.execute(db);
    const seen: string[] = [];
    // Outside the transaction: on SQLite the reader connection, on PostgreSQL another pooled one.
    const visible = async () =>
      (await sql<{ id: string }>`select id from after_commit_probe`.execute(db)).rows.length === 1;
    let check: Promise<boolean> | undefined;
    await db.transaction().execute(async (trx) => {
      await sql`insert into after_commit_probe (id) values ('one')`.execute(trx);
      await afterCommit(trx, () => {
        seen.push('committed');
        check = visible();
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['committed']);
    expect(await check).toBe(true);

    await db
      .transaction()
      .execute(async (trx) => {
        await afterCommit(trx, () => seen.push('rolled back'));
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await afterCommit(db, () => seen.push('no transaction'));
    expect(seen).toEqual(['committed', 'no transaction']);
  });
});
