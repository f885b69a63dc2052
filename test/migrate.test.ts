import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '#db/migrations/index';
import { createCliHome, type CliHome } from '#support/cli';
import { runUsherToExit, startUsher, stopAllUshers } from '#support/process';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';

// The last resort: nothing this file started outlives it, whatever failed.
afterAll(stopAllUshers);

/** How many migrations this code has: a new one must not break these tests. */
const ALL = Object.keys(migrations).length;

/** The lock Kysely's Migrator takes on PostgreSQL (kysely/dist/esm/dialect/postgres/postgres-adapter.js). */
const MIGRATION_LOCK_ID = '3853314791062309107';

let home: CliHome;
beforeAll(() => {
  home = createCliHome();
});
afterAll(() => home?.remove());

describeEachStore('usher migrate and USHER_MIGRATE_ON_START', (engine) => {
  let scratch: ScratchDatabase;
  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
  });
  afterAll(async () => {
    await scratch?.drop();
  });

  it('a process that may not migrate refuses an unmigrated store with exit 2, then starts once `usher migrate` ran', async () => {
    const env = { USHER_MIGRATE_ON_START: 'false' };
    const refused = await runUsherToExit({ databaseUrl: scratch.url, env });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr.trim().split('\n')).toEqual([
      `usher: the database schema is behind: ${ALL} migrations pending; run \`usher migrate\``,
    ]);

    const first = await home.run(['migrate', '--database-url', scratch.url]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^Applied ${ALL} migrations to `));
    expect(first.stdout).toContain('  0001-core\n');
    expect(first.stdout).toContain(`The schema is current (${ALL} migrations).`);
    const again = await home.run(['migrate', '--json'], { USHER_DATABASE_URL: scratch.url });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ applied: [], migrations: ALL });

    const usher = await startUsher({ databaseUrl: scratch.url, env });
    const health = await fetch(`${usher.url}/readyz`);
    expect(health.status).toBe(200);
    await usher.stop();
  }, 90_000);

  it('refuses a store a newer Usher migrated, at start and in `usher migrate`', async () => {
    const scratchAhead = await createScratchDatabase(engine);
    try {
      expect((await home.run(['migrate', '--database-url', scratchAhead.url])).code).toBe(0);
      await runSql(
        scratchAhead.url,
        "insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')",
      );
      const started = await runUsherToExit({ databaseUrl: scratchAhead.url, env: { USHER_MIGRATE_ON_START: 'false' } });
      expect(started.code, started.stderr).toBe(2);
      expect(started.stderr).toContain('has 1 migration this Usher does not know (9999-from-the-future)');
      const migrate = await home.run(['migrate', '--database-url', scratchAhead.url]);
      expect(migrate.code).toBe(2);
      expect(migrate.stderr).toContain('a newer Usher migrated it');
    } finally {
      await scratchAhead.drop();
    }
  }, 90_000);
});

const postgresUrl = process.env.USHER_TEST_POSTGRES_URL;

describe.skipIf(!postgresUrl)('two `usher migrate` at once on one PostgreSQL', () => {
  it('wait for the one migration lock, and together apply each migration once', async () => {
    const scratch = await createScratchDatabase('postgres');
    const holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    try {
      // Hold the lock first, so both runs are certainly inside the migrator at the same moment.
      await holder.query(`select pg_advisory_lock(${MIGRATION_LOCK_ID})`);
      const runs = [
        home.start(['migrate', '--json', '--database-url', scratch.url]),
        home.start(['migrate', '--json', '--database-url', scratch.url]),
      ];
      await waitFor(async () => {
        const { rows } = await holder.query(
          "select count(*)::int as waiting from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())",
        );
        return rows[0].waiting === 2;
      }, 30_000);
      await holder.query(`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`);
      const results = await Promise.all(runs.map((run) => run.exited));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const applied = results.map((result) => JSON.parse(result.stdout).applied as string[]);
      expect(applied.map((names) => names.length).sort()).toEqual([0, ALL]);
      const { rows } = await holder.query(
        'select count(*)::int as n, count(distinct name)::int as distinct_names from kysely_migration',
      );
      expect(rows[0]).toEqual({ n: ALL, distinct_names: ALL });
    } finally {
      await holder.end();
      await scratch.drop();
    }
  }, 90_000);
});

describe('two `usher migrate` at once on one SQLite file', () => {
  it('take turns on the write lock, and together apply each migration once', async () => {
    const scratch = await createScratchDatabase('sqlite');
    const { default: Sqlite } = await import('better-sqlite3');
    const holder = new Sqlite(scratch.url.slice('sqlite:'.length));
    try {
      // Hold the write lock while both start, so they reach the migrator together when it is let go.
      // WAL first, as every Usher store is: switching the journal mode needs the lock held here.
      holder.pragma('journal_mode = WAL');
      holder.exec('begin immediate');
      const runs = [
        home.start(['migrate', '--json', '--database-url', scratch.url]),
        home.start(['migrate', '--json', '--database-url', scratch.url]),
      ];
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      holder.exec('commit');
      const results = await Promise.all(runs.map((run) => run.exited));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const applied = results.map((result) => JSON.parse(result.stdout).applied as string[]);
      expect(applied.map((names) => names.length).sort()).toEqual([0, ALL]);
      expect(holder.prepare('select count(*) as n from kysely_migration').get()).toEqual({ n: ALL });
    } finally {
      holder.close();
      await scratch.drop();
    }
  }, 60_000);
});

async function runSql(url: string, statement: string): Promise<void> {
  if (url.startsWith('sqlite:')) {
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(url.slice('sqlite:'.length));
    db.exec(statement);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(statement);
  await client.end();
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
