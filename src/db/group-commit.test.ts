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
  const committedNames = () => (outside.prepare('select name from items order by id').all() as { name: string }[]).map((r) => r.name);

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
    expect(seenAtAnswer).toEqual([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c']]);
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
        db.transaction().execute((trx) => trx.insertInto('items').values({ name: `before ${label}` }).execute()),
        begin().execute(async (trx) => {
          seenAtStart[label] = committedNames();
          await sql`savepoint item`.execute(trx);
          await trx.insertInto('items').values({ name: `${label} item` }).execute();
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
    // Nothing arrives after the burst: the transactions beyond the group limit must not wait for a newcomer to wake them.
    await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        db
          .transaction()
          .execute((trx) => trx.insertInto('items').values({ name: `burst ${i}` }).execute())
          .then(() => seenAtAnswer.push(committedNames().length)),
      ),
    );
    expect(committedNames()).toHaveLength(150);
    // Groups of at most 64: the first answers saw 64 rows committed, and it took three COMMITs.
    expect(seenAtAnswer[0]).toBe(64);
    expect(new Set(seenAtAnswer)).toEqual(new Set([64, 128, 150]));
  });

  it('never shows a group member\'s work to a read before it is committed', async () => {
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

  it('reports a collision with another member\'s row once that row can be read', async () => {
    const [first, second] = await Promise.allSettled([
      db.transaction().execute((trx) => trx.insertInto('items').values({ name: 'same' }).execute()),
      db.insertInto('items').values({ name: 'same' }).execute(),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect(committedNames()).toEqual(['same']);
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
