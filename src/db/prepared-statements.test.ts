import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, engines, type ScratchDatabase } from '#support/stores';
import type { Database } from './schema';
import { openStore, type Store } from './store';

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

/** Runs `work` on one pinned connection of the store's pool. */
const pinned = <T>(db: Kysely<Database>, work: (conn: Kysely<Database>) => Promise<T>) =>
  db.connection().execute((conn) => work(conn as Kysely<Database>));

/** The statements prepared on the connection, by name. */
async function preparedOn(conn: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(conn);
  return rows.map((row) => row.name);
}

postgresOnly('repeated statements named on PostgreSQL [postgres]', () => {
  let scratch: ScratchDatabase;
  let stores: Store[] = [];
  const open = (preparedStatements?: boolean) => {
    const store = openStore(scratch.url, preparedStatements === undefined ? {} : { preparedStatements });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    await admin.query('create table notes (id int primary key, body text)');
    await admin.query("insert into notes values (1, 'one'), (2, 'two')");
    await admin.end();
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    stores = [];
    await scratch.drop();
  });

  const read = (conn: Kysely<Database>, id: number) =>
    sql<{ id: number }>`select * from notes where id = ${id}`.execute(conn).then((r) => r.rows);

  it('prepares a statement on its second call and reuses it after; begin/commit and one-off texts stay unnamed', async () => {
    const { db } = open();
    await pinned(db, async (conn) => {
      await read(conn, 1);
      expect(await preparedOn(conn)).toEqual([]);
      await read(conn, 2);
      await read(conn, 1);
      const names = await preparedOn(conn);
      expect(names).toHaveLength(1);
      expect(names[0]).toMatch(/^usher_[A-Za-z0-9_-]{22}$/);
      expect(await read(conn, 2)).toEqual([{ id: 2, body: 'two' }]);
      expect(await preparedOn(conn)).toEqual(names);
    });
  });

  it('prepares nothing when turned off (what the bench compares against)', async () => {
    const { db } = open(false);
    await pinned(db, async (conn) => {
      for (const id of [1, 2, 1]) await read(conn, id);
      expect(await preparedOn(conn)).toEqual([]);
    });
  });

  it('survives a column added by another process: a read is retried, a transaction fails once and its connection goes', async () => {
    const { db } = open();
    const backends = new Set<number>();
    const backendOf = async (conn: Kysely<Database>) =>
      (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn)).rows[0]!.pid;
    await pinned(db, async (conn) => {
      for (const id of [1, 2, 1]) await read(conn, id);
      backends.add(await backendOf(conn));
      await sql`alter table notes add column tag text`.execute(conn);
      // Outside a transaction: PostgreSQL refuses the stale plan, the read is sent again unnamed.
      expect(await read(conn, 1)).toEqual([{ id: 1, body: 'one', tag: null }]);
    });
    // The stale connection was closed when released: the pool opens a new one, with nothing prepared.
    await pinned(db, async (conn) => {
      expect(backends.has(await backendOf(conn))).toBe(false);
      for (const id of [1, 2, 1]) await read(conn, id);
      backends.add(await backendOf(conn));
    });
    // pg-pool hands out the connection released last: the one that just prepared the read (the alter below runs
    // on it too, and is not prepared: it has no parameters).
    await sql`alter table notes drop column tag`.execute(db);
    const failure = await db.transaction().execute(async (trx) => {
      const pid = await backendOf(trx);
      return read(trx, 1).then(
        () => ({ pid, code: undefined as string | undefined }),
        (error: unknown) => ({ pid, code: (error as { code?: string }).code }),
      );
    });
    expect(failure.code).toBe('0A000');
    const after = await db
      .transaction()
      .execute(async (trx) => ({ pid: await backendOf(trx), rows: await read(trx, 2) }));
    expect(after.rows).toEqual([{ id: 2, body: 'two' }]);
    expect(after.pid).not.toBe(failure.pid);
  });
});
