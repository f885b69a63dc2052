import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementsSent } from '#support/pg-statements';
import { createScratchDatabase, engines, type ScratchDatabase } from '#support/stores';
import { AHEAD, LATER, type Held } from './held-statements';
import { mergeWrites } from './merged-writes';
import { insertRowsLater } from './prepared-query';
import { openStore, type Store } from './store';

const write = (table: string, values: unknown[]): Held => ({
  text: `${LATER}insert into "${table}" ("a", "b") values (${values.map((_, i) => `$${i + 1}`).join(', ')})`,
  values,
});
const unnamed = () => undefined;

describe('held writes merged', () => {
  it('makes inserts in a row one statement, numbering each one’s parameters after the ones before', () => {
    const merged = mergeWrites([write('t', [1, 2]), write('u', [3, 4]), write('t', [5, 6])], unnamed);
    expect(merged).toEqual([
      {
        text:
          `${LATER}with "w1" as (insert into "t" ("a", "b") values ($1, $2)), ` +
          `"w2" as (insert into "u" ("a", "b") values ($3, $4)) insert into "t" ("a", "b") values ($5, $6)`,
        values: [1, 2, 3, 4, 5, 6],
      },
    ]);
  });

  it('keeps order: a BEGIN, a read or a statement it cannot read whole ends a run', () => {
    const begin: Held = { text: 'begin' };
    const read: Held = { text: `${AHEAD}select 1 where $1`, values: [1], answer: { resolve() {}, reject() {} } };
    const quoted: Held = { text: `${LATER}insert into "t" ("a") values ('$1')`, values: [] };
    const update: Held = { text: `${LATER}update "t" set "a" = $1`, values: [1] };
    const held = [begin, write('t', [1]), write('t', [2]), read, write('t', [3]), quoted, update, write('t', [4])];
    const merged = mergeWrites(held, unnamed);
    expect(merged.map((h) => h.text.slice(LATER.length, LATER.length + 9))).toEqual([
      '',
      'with "w1"',
      'select 1 ',
      'insert in',
      'insert in',
      'update "t',
      'insert in',
    ]);
    expect(merged[0]).toBe(begin);
    expect(merged[2]).toBe(read);
  });

  it('merges updates and upserts too, but never two writes that may change rows of one table', () => {
    const update = (table: string): Held => ({
      text: `${LATER}update "${table}" set "a" = $1 where "b" = $2`,
      values: [1, 2],
    });
    const upsert = (table: string): Held => ({
      text: `${LATER}insert into "${table}" ("a", "b") values ($1, $2) on conflict ("a") do update set "b" = $3`,
      values: [1, 2, 3],
    });
    const statements = (held: Held[]) => mergeWrites(held, unnamed).map((h) => h.text.slice(LATER.length));
    expect(statements([update('a'), upsert('b'), write('c', [1, 2]), write('d', [3, 4])])).toEqual([
      'with "w1" as (update "a" set "a" = $1 where "b" = $2), ' +
        '"w2" as (insert into "b" ("a", "b") values ($3, $4) on conflict ("a") do update set "b" = $5), ' +
        '"w3" as (insert into "c" ("a", "b") values ($6, $7)) insert into "d" ("a", "b") values ($8, $9)',
    ]);
    // One statement would not see its own change: each of these pairs stays two statements.
    for (const pair of [
      [write('t', [1, 2]), update('t')],
      [update('t'), write('t', [1, 2])],
      [update('t'), update('t')],
      [upsert('t'), upsert('t')],
      [write('t', [1, 2]), upsert('t')],
    ])
      expect(statements(pair)).toHaveLength(2);
    // An update that reads another row could read one its neighbours change: it stays alone.
    const reading: Held = {
      text: `${LATER}update "t" set "a" = (select max("a") from "u") where "b" = $1`,
      values: [1],
    };
    expect(statements([write('u', [1, 2]), reading, write('v', [3, 4])])).toHaveLength(3);
  });

  it('starts a new statement rather than pass PostgreSQL’s 65,535 parameters, and names what it merged', () => {
    const big = Array.from({ length: 40_000 }, (_, i) => i);
    const merged = mergeWrites([write('t', big), write('t', big), write('t', [1]), write('t', [2])], (text) =>
      text.includes('with') ? 'merged' : undefined,
    );
    expect(merged.map((h) => h.values?.length)).toEqual([40_000, 40_002]);
    expect(merged.map((h) => h.name)).toEqual([undefined, 'merged']);
  });
});

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

postgresOnly('held writes merged, on a real server [postgres]', () => {
  let scratch: ScratchDatabase;
  let store: Store;
  const db = () => store.db as unknown as Parameters<typeof insertRowsLater>[0];
  const later = (trx: unknown, table: 'parents' | 'children', rows: object[]) =>
    insertRowsLater(trx as never, table as never, rows as never);
  const count = async (table: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(store.db)).rows[0]!.n;

  const textsSent = async (work: () => Promise<unknown>) => (await statementsSent(work)).map(({ text }) => text);

  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    store = openStore(scratch.url);
    await sql`create table parents (id text primary key, body text)`.execute(store.db);
    await sql`create table children (id text primary key, parent_id text not null references parents (id))`.execute(
      store.db,
    );
  });
  afterAll(async () => {
    await store.close();
    await scratch.drop();
  });

  it('sends a parent and its children as one statement, alone, and they commit', async () => {
    const texts = await textsSent(() =>
      db()
        .transaction()
        .execute(async (trx) => {
          await later(trx, 'parents', [{ id: 'p1', body: 'x' }]);
          await later(trx, 'children', [{ id: 'c1', parent_id: 'p1' }]);
          await later(trx, 'children', [{ id: 'c2', parent_id: 'p1' }]);
        }),
    );
    // One statement is the whole transaction: sent without BEGIN and COMMIT (held-statements.ts, commitAlone).
    expect(texts).toEqual([expect.stringMatching(/^\/\* usher:later \*\/ with "w1" as \(insert/)]);
    expect([await count('parents'), await count('children')]).toEqual([1, 2]);
  });

  it('fails the transaction with the refused insert’s own error, and keeps none of them', async () => {
    const failure = await db()
      .transaction()
      .execute(async (trx) => {
        await later(trx, 'parents', [{ id: 'p2', body: 'x' }]);
        await later(trx, 'children', [{ id: 'c3', parent_id: 'nobody' }]);
      })
      .catch((error: { code?: string; constraint?: string }) => error);
    expect(failure).toMatchObject({ code: '23503', constraint: 'children_parent_id_fkey' });
    expect([await count('parents'), await count('children')]).toEqual([1, 2]);
  });

  it('sends an update with the inserts that follow it as one statement, and all of them commit', async () => {
    await sql`insert into parents (id, body) values ('p3', 'before')`.execute(store.db);
    const texts = await textsSent(() =>
      db()
        .transaction()
        .execute(async (trx) => {
          const update = sql`/* usher:later */ update "parents" set "body" = ${'after'} where "id" = ${'p3'}`;
          await update.execute(trx as never);
          await later(trx, 'children', [{ id: 'c4', parent_id: 'p3' }]);
        }),
    );
    expect(texts).toEqual([expect.stringMatching(/^\/\* usher:later \*\/ with "w1" as \(update "parents"/)]);
    const { rows } = await sql<{ body: string }>`select body from parents where id = 'p3'`.execute(store.db);
    expect(rows).toEqual([{ body: 'after' }]);
    expect(await count('children')).toBe(3);
  });
});
