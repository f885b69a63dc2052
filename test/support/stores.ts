import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrateToLatest, openStore, type Engine, type Store } from '#db';

const postgresUrl = process.env.USHER_TEST_POSTGRES_URL;

/** The engines this run tests on: SQLite always, PostgreSQL when a server is configured. */
export const engines: readonly Engine[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, empty database for one suite, and how to throw it away. */
export interface ScratchDatabase {
  readonly engine: Engine;
  readonly url: string;
  drop(): Promise<void>;
}

/** A new SQLite file in a temp folder, or a new database on the test PostgreSQL server. */
export async function createScratchDatabase(engine: Engine): Promise<ScratchDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'usher-test-'));
    return {
      engine,
      url: `sqlite:${join(dir, 'usher.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  if (!postgresUrl) throw new Error('USHER_TEST_POSTGRES_URL is not set');
  const name = `usher_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    engine,
    url: url.toString(),
    drop: () => dropDatabase(name),
  };
}

/**
 * Drops a scratch database. pg-pool's end() resolves before its sockets have closed, so a
 * forced drop would kill connections mid-goodbye and surface as unhandled errors; instead wait
 * (up to 10 s) for them to go, and force only as a last resort.
 */
async function dropDatabase(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await client.query(`drop database if exists ${name}`);
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006') throw error; // 55006: still being accessed
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await client.query(`drop database if exists ${name} with (force)`);
  } finally {
    await client.end();
  }
}

/**
 * Declares a suite once per engine. Without a PostgreSQL server the PostgreSQL copy is a
 * visible skip, named so the report says why.
 */
export function describeEachStore(title: string, body: (engine: Engine) => void): void {
  for (const engine of engines) describe(`${title} [${engine}]`, () => body(engine));
  if (!postgresUrl)
    describe.skip(`${title} [postgres: skipped, USHER_TEST_POSTGRES_URL not set]`, () => body('postgres'));
}

/** A migrated scratch store for the enclosing suite, closed and dropped after it: read `.current` inside tests. */
export function useScratchStore(engine: Engine): { current: Store } {
  const handle = {} as { current: Store; scratch: ScratchDatabase };
  beforeAll(async () => {
    handle.scratch = await createScratchDatabase(engine);
    handle.current = openStore(handle.scratch.url);
    await migrateToLatest(handle.current.db);
  });
  afterAll(async () => {
    await handle.current?.close();
    await handle.scratch?.drop();
  });
  return handle;
}
