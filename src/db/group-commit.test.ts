import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, sql, type Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupCommitDialect, ownGroup } from './group-commit';

interface Db {
  items: { id: Generated<number>; name: string };
}

describe('SQLite group commit', () => {
  let dir: string;
  let path: string;
  let db: Kysely<Db>;
  // A connection of its own, as another process would have: it sees only what is committed.
  let outside: SqliteDatabase.Database;

  const open = (file: string) => {
    const sqlite = new SqliteDatabase(file);
    sqlite.pragma('journal_mode = WAL');
    return sqlite;
  };
  const committedNames = () =>
    (outside.prepare('select name from items order by id').all() as { name: string }[]).map((r) => r.name);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'usher-group-'));
    path = join(dir, 'group.db');
    db = new Kysely<Db>({ dialect: groupCommitDialect(open(path), open(path)) });
    await sql`create table items (id integer primary key, name text not null unique)`.execute(db);
    outside = open(path);
  });

  afterEach(async () => {
    outside.close();
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits transactions that arrive together once, and answers none of them before that commit', async () => {
    const seenAtAnswer: string[][] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        db
          .transaction()
          .execute((trx) => trx.insertInto('items').values({ name }).execute())
          .then(() => seenAtAnswer.push(committedNames())),
      ),
    );
    // Every answer came after a commit that already held all three: one commit for the group.
    expect(seenAtAnswer).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('keeps a group open for a turn of the event loop that brings it a member, and commits after one that brings none', async () => {
    const seenAtAnswer: Record<string, string[]> = {};
    const insert = (name: string) =>
      db
        .transaction()
        .execute((trx) => trx.insertInto('items').values({ name }).execute())
        .then(() => void (seenAtAnswer[name] = committedNames()));
    // As requests read from sockets over successive turns of a busy server: one now, one a turn later,
    // one two turns later. Committing at the first turn's end would answer `first` alone.
    const later = (turns: number, work: () => Promise<void>): Promise<void> =>
      turns === 0 ? work() : new Promise((resolve) => setImmediate(() => void later(turns - 1, work).then(resolve)));
    await Promise.all([insert('first'), later(1, () => insert('second')), later(2, () => insert('third'))]);
    expect(seenAtAnswer).toEqual({
      first: ['first', 'second', 'third'],
      second: ['first', 'second', 'third'],
      third: ['first', 'second', 'third'],
    });
  });

  it('rolls back a failing member alone', async () => {
    const results = await Promise.allSettled([
      db.transaction().execute((trx) => trx.insertInto('items').values({ name: 'kept' }).execute()),
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ name: 'undone' }).execute();
        throw new Error('refused');
      }),
      db.transaction().execute((trx) => trx.insertInto('items').values({ name: 'also kept' }).execute()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committedNames()).toEqual(['kept', 'also kept']);
  });

  it('rolls back a failing first member, which runs without a savepoint, and keeps those after it', async () => {
    const results = await Promise.allSettled([
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ name: 'undone' }).execute();
        throw new Error('refused');
      }),
      db.transaction().execute((trx) => trx.insertInto('items').values({ name: 'kept' }).execute()),
      db.insertInto('items').values({ name: 'also kept' }).execute(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(committedNames()).toEqual(['kept', 'also kept']);
  });

  it('begins a group of its own for ownGroup: the members before it are committed first', async () => {
    const seenAtStart: Record<string, string[]> = {};
    const joinAfter = (label: string, begin: () => ReturnType<typeof db.transaction>) =>
      Promise.all([
        db.transaction().execute((trx) =>
          trx
            .insertInto('items')
            .values({ name: `before ${label}` })
            .execute(),
        ),
        begin().execute(async (trx) => {
          seenAtStart[label] = committedNames();
          await sql`savepoint item`.execute(trx);
          await trx
            .insertInto('items')
            .values({ name: `${label} item` })
            .execute();
          await sql`release item`.execute(trx);
        }),
      ]);
    await joinAfter('plain', () => db.transaction());
    await joinAfter('own', () => ownGroup(db));
    // A plain transaction joins the open group; ownGroup's starts after that group's COMMIT.
    expect(seenAtStart).toEqual({ plain: [], own: ['before plain', 'plain item', 'before own'] });
    expect(committedNames()).toEqual(['before plain', 'plain item', 'before own', 'own item']);
  });

  it('finishes a burst of more transactions than one group takes, committing it in several groups', async () => {
    const seenAtAnswer: number[] = [];
    // Nothing arrives after the burst: the transactions beyond the group limit must not wait for a newcomer to wake
    // them.
    await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        db
          .transaction()
          .execute((trx) =>
            trx
              .insertInto('items')
              .values({ name: `burst ${i}` })
              .execute(),
          )
          .then(() => seenAtAnswer.push(committedNames().length)),
      ),
    );
    expect(committedNames()).toHaveLength(150);
    // Groups of at most 64: the first answers saw 64 rows committed, and it took three COMMITs.
    expect(seenAtAnswer[0]).toBe(64);
    expect(new Set(seenAtAnswer)).toEqual(new Set([64, 128, 150]));
  });

  it('starts a newcomer on the next group once a group is full, even with nobody in line', async () => {
    const seenAtAnswer: number[] = [];
    const insert = (name: string, then?: () => void) =>
      db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('items').values({ name }).execute();
          then?.();
        })
        .then(() => void seenAtAnswer.push(committedNames().length));
    let newcomer: Promise<void> = Promise.resolve();
    // The 64th member fills the group; the newcomer arrives in the same turn, after the writer is free.
    const full = Array.from({ length: 64 }, (_, i) =>
      insert(`member ${i}`, i === 63 ? () => setImmediate(() => (newcomer = insert('newcomer'))) : undefined),
    );
    await Promise.all(full);
    await newcomer;
    expect(seenAtAnswer).toEqual([...Array(64).fill(64), 65]);
  });

  it("never shows a group member's work to a read before it is committed", async () => {
    let readInside: unknown[] = [];
    await Promise.all([
      db.transaction().execute(async (trx) => {
        await trx.insertInto('items').values({ name: 'pending' }).execute();
      }),
      // Runs while the insert above waits for its group's commit.
      Promise.resolve().then(async () => {
        readInside = await db.selectFrom('items').select('name').execute();
      }),
    ]);
    expect(readInside).toEqual([]);
    expect(await db.selectFrom('items').select('name').execute()).toEqual([{ name: 'pending' }]);
  });

  it("reports a collision with another member's row once that row can be read", async () => {
    const [first, second] = await Promise.allSettled([
      db.transaction().execute((trx) => trx.insertInto('items').values({ name: 'same' }).execute()),
      db.insertInto('items').values({ name: 'same' }).execute(),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect(committedNames()).toEqual(['same']);
  });

  it('runs schema changes the reader cannot prepare yet on the writer, as a migration makes them', async () => {
    // The reader prepares against the schema it last read: it has not seen the index made, then dropped.
    await sql`create index items_name on items (name)`.execute(db);
    await sql`drop index items_name`.execute(db);
    await sql`create index items_name on items (name) where name <> ''`.execute(db);
    expect(outside.prepare("select sql from sqlite_master where name = 'items_name'").pluck().get()).toMatch(
      /where name <> ''$/,
    );
  });

  it('keeps savepoints inside a member working', async () => {
    await db.transaction().execute(async (trx) => {
      await sql`savepoint inner_item`.execute(trx);
      await trx.insertInto('items').values({ name: 'dropped' }).execute();
      await sql`rollback to inner_item`.execute(trx);
      await sql`release inner_item`.execute(trx);
      await trx.insertInto('items').values({ name: 'stays' }).execute();
    });
    expect(committedNames()).toEqual(['stays']);
  });
});
