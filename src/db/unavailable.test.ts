import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from '#support/ports';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';
import { migrateToLatest, openStore, type Store } from './index';
import { isDatabaseUnavailable } from './unavailable';

/** The error a call throws or rejects with: every error here is a real one, made by the driver. */
async function failureOf(action: () => unknown): Promise<Error & { code?: string }> {
  try {
    await action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the call to fail');
}

describe('which SQLite errors mean the store cannot serve', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'usher-unavailable-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = (name: string, options?: SqliteDatabase.Options) => {
    const sqlite = new SqliteDatabase(join(dir, name), options);
    sqlite.pragma('journal_mode = WAL');
    return sqlite;
  };

  it('counts a full database (SQLITE_FULL) as unavailable', async () => {
    const sqlite = open('full.db');
    sqlite.exec('create table t (b blob)');
    sqlite.pragma(`max_page_count = ${sqlite.pragma('page_count', { simple: true })}`);
    const error = await failureOf(() => sqlite.prepare('insert into t values (zeroblob(100000))').run());
    expect(error.code).toBe('SQLITE_FULL');
    expect(isDatabaseUnavailable(error)).toBe(true);
    sqlite.close();
  });

  it('counts a write lock held past the busy timeout (SQLITE_BUSY) as unavailable', async () => {
    const holder = open('busy.db');
    holder.exec('create table t (x)');
    const waiter = open('busy.db');
    waiter.pragma('busy_timeout = 0');
    holder.exec('begin immediate');
    const error = await failureOf(() => waiter.exec('begin immediate'));
    holder.exec('rollback');
    expect(error.code).toBe('SQLITE_BUSY');
    expect(isDatabaseUnavailable(error)).toBe(true);
    holder.close();
    waiter.close();
  });

  it('counts a read-only file (SQLITE_READONLY) and one it cannot open (SQLITE_CANTOPEN) as unavailable', async () => {
    open('readonly.db').exec('create table t (x)');
    const readonly = new SqliteDatabase(join(dir, 'readonly.db'), { readonly: true });
    const refused = await failureOf(() => readonly.prepare('insert into t values (1)').run());
    expect(refused.code).toMatch(/^SQLITE_READONLY/);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    readonly.close();

    // A directory where the file should be: SQLite itself cannot open it.
    const missing = await failureOf(() => new SqliteDatabase(dir));
    expect(missing.code).toBe('SQLITE_CANTOPEN');
    expect(isDatabaseUnavailable(missing)).toBe(true);
  });

  it('leaves constraint violations and bad SQL to the request or the code (not unavailable)', async () => {
    const sqlite = open('constraints.db');
    sqlite.exec('create table t (x primary key, y not null)');
    sqlite.exec("insert into t values (1, 'a')");
    const unique = await failureOf(() => sqlite.exec("insert into t values (1, 'b')"));
    const notNull = await failureOf(() => sqlite.exec('insert into t values (2, null)'));
    const syntax = await failureOf(() => sqlite.exec('select from where'));
    const noTable = await failureOf(() => sqlite.exec('select * from nothing'));
    expect([unique.code, notNull.code, syntax.code, noTable.code]).toEqual([
      'SQLITE_CONSTRAINT_PRIMARYKEY',
      'SQLITE_CONSTRAINT_NOTNULL',
      'SQLITE_ERROR',
      'SQLITE_ERROR',
    ]);
    for (const error of [unique, notNull, syntax, noTable]) expect(isDatabaseUnavailable(error)).toBe(false);
    sqlite.close();
    expect(isDatabaseUnavailable(new Error('a bug'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('keeps SQLITE_FULL through Kysely and the group-commit writer, in a statement and in a transaction', async () => {
    const store = openStore(`sqlite:${join(dir, 'store.db')}`);
    try {
      await sql`create table t (b blob)`.execute(store.db);
      // The writer runs every write; the pragma goes with the transaction's statements.
      await store.db.transaction().execute(async (trx) => {
        const pages = await sql<{ page_count: number }>`pragma page_count`.execute(trx);
        await sql.raw(`pragma max_page_count = ${pages.rows[0]!.page_count + 2}`).execute(trx);
      });
      const statement = await failureOf(() => sql`insert into t values (zeroblob(100000))`.execute(store.db));
      const transaction = await failureOf(() =>
        store.db.transaction().execute((trx) => sql`insert into t values (zeroblob(100000))`.execute(trx)),
      );
      for (const error of [statement, transaction]) {
        expect(error.code).toBe('SQLITE_FULL');
        expect(isDatabaseUnavailable(error)).toBe(true);
      }
      // And the writer still works for what fits.
      await sql`insert into t values (x'00')`.execute(store.db);
    } finally {
      await store.close();
    }
  });
});

const postgresUrl = process.env.USHER_TEST_POSTGRES_URL;
const describeOnPostgres = postgresUrl ? describe : describe.skip;

describeOnPostgres('which PostgreSQL and node-pg errors mean the database cannot serve', () => {
  const admin = new pg.Client({ connectionString: postgresUrl });
  beforeAll(() => admin.connect());
  afterAll(() => admin.end());

  it('counts a refused connection as unavailable', async () => {
    const client = new pg.Client({ connectionString: `postgres://usher@127.0.0.1:${await closedPort()}/postgres` });
    const error = await failureOf(() => client.connect());
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it('counts a server that ends the session (57P01), and the client it leaves broken, as unavailable', async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    const events: Error[] = [];
    client.on('error', (error) => events.push(error));
    await client.connect();
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
    await until(() => events.length > 0);
    expect((events[0] as { code?: string }).code).toBe('57P01');
    expect(isDatabaseUnavailable(events[0])).toBe(true);
    const broken = await failureOf(() => client.query('select 1'));
    expect(isDatabaseUnavailable(broken)).toBe(true);
  });

  it('counts too many connections (53300), a pool that timed out and a dropped socket as unavailable', async () => {
    const role = `usher_limited_${randomBytes(4).toString('hex')}`;
    await admin.query(`create role ${role} login connection limit 0`);
    try {
      const url = new URL(postgresUrl!);
      url.username = role;
      const limited = new pg.Client({ connectionString: url.toString() });
      const tooMany = await failureOf(() => limited.connect());
      expect(tooMany.code).toBe('53300');
      expect(isDatabaseUnavailable(tooMany)).toBe(true);
    } finally {
      await admin.query(`drop role ${role}`);
    }

    const pool = new pg.Pool({ connectionString: postgresUrl, max: 1, connectionTimeoutMillis: 100 });
    const held = await pool.connect();
    const timedOut = await failureOf(() => pool.connect());
    expect(timedOut.message).toMatch(/timeout/);
    expect(isDatabaseUnavailable(timedOut)).toBe(true);
    held.release();
    await pool.end();

    // A peer that accepts and hangs up: node-pg's "Connection terminated unexpectedly".
    const hangUp = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
    const port = (hangUp.address() as { port: number }).port;
    const hungUp = new pg.Client({ connectionString: `postgres://usher@127.0.0.1:${port}/postgres` });
    const dropped = await failureOf(() => hungUp.connect());
    hangUp.close();
    expect(dropped.message).toMatch(/Connection terminated/);
    expect(isDatabaseUnavailable(dropped)).toBe(true);
  });

  it('leaves constraint violations and bad SQL to the request or the code (not unavailable)', async () => {
    const duplicateKeys = 'create temp table u (x int primary key); insert into u values (1), (1)';
    const unique = await failureOf(() => admin.query(duplicateKeys));
    const syntax = await failureOf(() => admin.query('select from where'));
    const badInput = await failureOf(() => admin.query("select 'x'::int"));
    expect([unique.code, syntax.code, badInput.code]).toEqual(['23505', '42601', '22P02']);
    for (const error of [unique, syntax, badInput]) expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describeOnPostgres('a PostgreSQL store whose server ends a connection in use', () => {
  let scratch: ScratchDatabase;
  let store: Store;
  const dropped: Error[] = [];
  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    store = openStore(scratch.url, { onConnectionError: (error) => dropped.push(error) });
    await migrateToLatest(store.db);
  });
  afterAll(async () => {
    await store.close();
    await scratch.drop();
  });

  it('tells onConnectionError instead of crashing, and the transaction fails as unavailable', async () => {
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      const error = await failureOf(() =>
        store.db.transaction().execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          // Ended while checked out and idle in the transaction: node-pg emits 'error' on the client.
          await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
          await until(() => dropped.length > 0);
          await sql`select 1`.execute(trx);
        }),
      );
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect((dropped[0] as { code?: string }).code).toBe('57P01');
    } finally {
      await admin.end();
    }
    // The pool replaced the connection: the store serves again.
    expect((await sql<{ one: number }>`select 1 as one`.execute(store.db)).rows).toEqual([{ one: 1 }]);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
