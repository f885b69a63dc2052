import { Socket } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, engines, type ScratchDatabase } from '#support/stores';
import { openStore, type Store } from './store';
import { LATER } from './held-statements';
import { preparedQuery } from './prepared-query';
import { startAhead } from './read-ahead';

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

interface Sent {
  readonly query: string;
  readonly corked: boolean;
}

/**
 * Records what node-pg clients send while `work` runs: each query's text, and whether the socket was corked when
 * its bytes were written (corked writes leave together, in one write).
 */
async function recording(work: () => Promise<void>): Promise<Sent[]> {
  const sent: Sent[] = [];
  const query = pg.Client.prototype.query;
  const write = Socket.prototype.write;
  let current: string | null = null;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    current = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? null);
    try {
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } finally {
      current = null;
    }
  } as typeof query;
  Socket.prototype.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (current !== null) sent.push({ query: current, corked: this.writableCorked > 0 });
    return write.apply(this, args);
  } as typeof write;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = query;
    Socket.prototype.write = write;
  }
  return sent;
}

postgresOnly('statements held and written with the next one [postgres]', () => {
  let scratch: ScratchDatabase;
  let store: Store;

  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    store = openStore(scratch.url);
    await sql`create table notes (id int primary key, body text)`.execute(store.db);
  });
  afterAll(async () => {
    await store.close();
    await scratch.drop();
  });

  const insert = (db: Store['db'], id: number) => sql`insert into notes values (${id}, 'x')`.execute(db);
  /** An insert marked LATER, as insertRowsLater marks them. */
  const insertLater = (db: Store['db'], id: number) =>
    sql`${sql.raw(LATER)}insert into notes values (${id}, 'x')`.execute(db);
  const reset = () => sql`delete from notes`.execute(store.db);
  /** The error code a transaction running `work` fails with; null when it commits. */
  const failureCode = (work: (trx: Store['db']) => Promise<unknown>) =>
    store.db
      .transaction()
      .execute(work)
      .then(
        () => null,
        (error: { code?: string }) => error.code,
      );
  /** A prepared read, as the capabilities write theirs: these are what startAhead sends ahead. */
  const noteById = preparedQuery((db, p: { id: number }) =>
    db
      .selectFrom('notes' as never)
      .select(['id' as never])
      .where('id' as never, '=', p.id as never),
  );
  const ids = async () => (await sql<{ id: number }>`select id from notes order by id`.execute(store.db)).rows;

  it('sends BEGIN and the first statement in one write, and the rest as before', async () => {
    const sent = await recording(() =>
      store.db.transaction().execute(async (trx) => {
        await insert(trx, 1);
        await insert(trx, 2);
      }),
    );
    const queries = [...new Set(sent.map((s) => s.query))];
    expect(queries).toEqual(['begin', expect.stringMatching(/^insert/), 'commit']);
    const begin = sent.filter((s) => s.query === 'begin');
    const inserts = sent.filter((s) => s.query.startsWith('insert'));
    expect(begin.every((s) => s.corked)).toBe(true);
    // The first insert's messages are corked with the BEGIN; the second's go out as node-pg writes them.
    expect(inserts.filter((s) => s.corked).length).toBeGreaterThan(0);
    expect(await ids()).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('keeps the transaction: a rollback undoes the first statement, and a failing first statement rolls back', async () => {
    expect(
      await failureCode(async (trx) => {
        await insert(trx, 3);
        throw Object.assign(new Error('changed my mind'), { code: 'mind' });
      }),
    ).toBe('mind');
    expect(await failureCode((trx) => insert(trx, 1))).toBe('23505'); // already there
    expect(await ids()).toEqual([{ id: 1 }, { id: 2 }]);
    // The pool's connections are all still good.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => store.db.transaction().execute((trx) => insert(trx, 10 + i))),
    );
    expect((await ids()).length).toBe(14);
  });

  it('sends nothing for a transaction that runs nothing', async () => {
    const sent = await recording(() => store.db.transaction().execute(async () => undefined));
    expect(sent).toEqual([]);
  });

  it('sends writes marked LATER with the next statement, in one write, and they commit', async () => {
    await reset();
    const sent = await recording(() =>
      store.db.transaction().execute(async (trx) => {
        await insertLater(trx, 1);
        await insertLater(trx, 2);
        expect(await sql`select count(*)::int as n from notes`.execute(trx).then((r) => r.rows)).toEqual([{ n: 2 }]);
        await insertLater(trx, 3);
      }),
    );
    // BEGIN and two inserts corked with the count; the third with the COMMIT.
    expect(sent.filter((s) => s.query.includes('usher:later')).every((s) => s.corked)).toBe(true);
    expect(sent.filter((s) => s.query === 'commit').every((s) => s.corked)).toBe(true);
    expect(await ids()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it("throws a held write's own error, from the statement it went with or the COMMIT, and keeps nothing", async () => {
    await reset();
    await insert(store.db, 1);
    const atNext = await failureCode(async (trx) => {
      await insertLater(trx, 5);
      await insertLater(trx, 1); // taken
      await sql`select 1`.execute(trx);
    });
    expect(atNext).toBe('23505');
    const atCommit = await failureCode(async (trx) => {
      await insertLater(trx, 6);
      await insertLater(trx, 1); // taken
    });
    expect(atCommit).toBe('23505');
    expect(await ids()).toEqual([{ id: 1 }]);
  });

  it('drops held writes on a rollback, and those after a savepoint on a rollback to it', async () => {
    await reset();
    await store.db
      .transaction()
      .execute(async (trx) => {
        await insertLater(trx, 7);
        throw new Error('changed my mind');
      })
      .catch(() => undefined);
    await store.db.transaction().execute(async (trx) => {
      // As a bulk import does for each item.
      await insertLater(trx, 8);
      await sql`savepoint item`.execute(trx);
      await insertLater(trx, 9);
      await sql`rollback to savepoint item`.execute(trx);
      await sql`release savepoint item`.execute(trx);
      await insertLater(trx, 10);
    });
    expect(await ids()).toEqual([{ id: 8 }, { id: 10 }]);
  });

  it('runs a write marked LATER at once outside a transaction', async () => {
    await reset();
    await insertLater(store.db, 11);
    expect(await ids()).toEqual([{ id: 11 }]);
  });

  it('sends a transaction that is one held statement as that statement alone, which commits or fails whole', async () => {
    await reset();
    const later = /usher:later/;
    const queries = async (work: () => Promise<unknown>) => [
      ...new Set((await recording(async () => void (await work()))).map((s) => s.query)),
    ];
    expect(await queries(() => store.db.transaction().execute((trx) => insertLater(trx, 1)))).toEqual([
      expect.stringMatching(later),
    ]);
    expect(await ids()).toEqual([{ id: 1 }]);
    expect(await failureCode((trx) => insertLater(trx, 1))).toBe('23505'); // taken
    // Two statements (these raw inserts do not merge) keep their BEGIN and COMMIT, and so does a BEGIN that says
    // more than BEGIN (an isolation level).
    expect(
      await queries(() =>
        store.db.transaction().execute(async (trx) => {
          await insertLater(trx, 2);
          await insertLater(trx, 3);
        }),
      ),
    ).toEqual(['begin', expect.stringMatching(later), 'commit']);
    expect(
      await queries(() =>
        store.db
          .transaction()
          .setIsolationLevel('serializable')
          .execute((trx) => insertLater(trx, 4)),
      ),
    ).toEqual([
      expect.stringMatching(/^start transaction isolation level serializable/i),
      expect.stringMatching(later),
      'commit',
    ]);
    expect(await ids()).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }]);
  });

  it('sends no ROLLBACK once a failed COMMIT or a lone statement went out, and sends it when the COMMIT did not', async () => {
    await reset();
    await insert(store.db, 1);
    for (const alone of [true, false]) {
      let code: string | null | undefined;
      const sent = await recording(async () => {
        code = await failureCode(async (trx) => {
          if (!alone) await insertLater(trx, 7);
          await insertLater(trx, 1); // taken: fails as the one statement, or at the COMMIT
        });
      });
      expect(code).toBe('23505');
      expect(sent.map((s) => s.query)).toEqual(
        expect.arrayContaining([alone ? expect.stringMatching(/usher:later/) : 'commit']),
      );
      expect(sent.map((s) => s.query)).not.toContain('rollback');
      // No connection was left inside a transaction: every one the pool has answers, and nothing was kept.
      await Promise.all(Array.from({ length: 12 }, () => ids()));
      expect(await ids()).toEqual([{ id: 1 }]);
    }
    // A held write that failed on its own before the COMMIT: the COMMIT never goes out, and the ROLLBACK must.
    const sent = await recording(async () => {
      const code = await failureCode(async (trx) => {
        await insertLater(trx, 1); // taken
        await startAhead(trx, (early) => noteById.execute(early, { id: 1 })).catch(() => undefined);
      });
      expect(code).toBe('23505');
    });
    expect(sent.map((s) => s.query)).toEqual(expect.arrayContaining(['rollback']));
    expect(sent.map((s) => s.query)).not.toContain('commit');
    await Promise.all(Array.from({ length: 12 }, () => ids()));
  });

  it('sends a read started ahead with the next statement, and gives its rows where they are awaited', async () => {
    await reset();
    await insert(store.db, 1);
    let early: Promise<unknown> | undefined;
    const sent = await recording(() =>
      store.db.transaction().execute(async (trx) => {
        early = startAhead(trx, (db) => noteById.execute(db, { id: 1 }));
        await insert(trx, 2);
        expect(await early).toEqual([{ id: 1 }]);
      }),
    );
    const reads = sent.filter((s) => s.query.includes('usher:ahead'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((s) => s.corked)).toBe(true);
    // Outside a transaction there is nothing to ride with: it runs at once.
    expect(await startAhead(store.db, (db) => noteById.execute(db, { id: 2 }))).toEqual([{ id: 2 }]);
  });

  it('fails a read sent ahead that never went out, or went out with a failing statement, without crashing', async () => {
    await reset();
    await insert(store.db, 1);
    let dropped: Promise<unknown> | undefined;
    expect(
      await failureCode(async (trx) => {
        dropped = startAhead(trx, (db) => noteById.execute(db, { id: 1 }));
        throw Object.assign(new Error('changed my mind'), { code: 'mind' });
      }),
    ).toBe('mind');
    await expect(dropped).rejects.toThrow(/ended before the read/);
    let failing: Promise<unknown> | undefined;
    expect(
      await failureCode(async (trx) => {
        failing = startAhead(trx, (db) => noteById.execute(db, { id: 'not a number' as never }));
        await insert(trx, 3);
      }),
    ).toBe('22P02');
    await expect(failing).rejects.toMatchObject({ code: '22P02' });
    expect(await ids()).toEqual([{ id: 1 }]);
  });

  it('sends a read started ahead on its own when it is awaited before any other statement', async () => {
    await reset();
    await insert(store.db, 1);
    // A read that leads to another (a key made on first use reads again under a lock): nothing else carries it.
    const rows = await store.db
      .transaction()
      .execute((trx) =>
        startAhead(trx, async (early) => [
          ...(await noteById.execute(early, { id: 1 })),
          ...(await noteById.execute(early, { id: 2 })),
        ]),
      );
    expect(rows).toEqual([{ id: 1 }]);
    // A held write that fails on the way out that way is still the transaction's failure, at its COMMIT.
    expect(
      await failureCode(async (trx) => {
        await insertLater(trx, 1); // taken
        await startAhead(trx, (early) => noteById.execute(early, { id: 1 })).catch(() => undefined);
      }),
    ).toBe('23505');
    expect(await ids()).toEqual([{ id: 1 }]);
  });
});
