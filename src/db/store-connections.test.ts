import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, engines, type ScratchDatabase } from '#support/stores';
import { insertRowsLater } from './prepared-query';
import { migrateToLatest, openStore, type Store } from './store';

const postgresOnly = engines.includes('postgres') ? describe : describe.skip;

/**
 * How a store connects to PostgreSQL. docs/deploying-postgresql.md tells a deployment with PostgreSQL on the same
 * machine to connect over its Unix socket (`?host=` the socket's directory): the bench measured 5–7% less CPU a
 * request than TCP to 127.0.0.1; and to size the pool (USHER_POSTGRES_POOL_SIZE) to the database's cores.
 */
postgresOnly('a store’s connections to PostgreSQL [postgres]', () => {
  let scratch: ScratchDatabase;
  let socketDirectory: string | null = null;

  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    const probe = openStore(scratch.url);
    try {
      const { rows } = await sql<{ d: string }>`select current_setting('unix_socket_directories') as d`.execute(
        probe.db,
      );
      const port = new URL(scratch.url).port || '5432';
      const first = rows[0]!.d.split(',')[0]!.trim();
      // A server on another machine has its socket there, not here.
      socketDirectory = existsSync(join(first, `.s.PGSQL.${port}`)) ? first : null;
    } finally {
      await probe.close();
    }
  });
  afterAll(() => scratch.drop());

  it('migrates, commits held writes and reads them back, with no TCP connection', async (context) => {
    if (socketDirectory === null) context.skip('the test server’s socket is not on this machine');
    const url = new URL(scratch.url);
    url.searchParams.set('host', socketDirectory!);
    const store: Store = openStore(url.toString());
    try {
      await migrateToLatest(store.db);
      const { rows } = await sql<{ address: string | null }>`select inet_server_addr() as address`.execute(store.db);
      expect(rows).toEqual([{ address: null }]); // null: not a TCP connection
      await store.db.transaction().execute(async (trx) => {
        const at = '2026-12-07T00:00:00.000Z';
        await insertRowsLater(trx, 'tenants', [
          { id: 'ten_socket', name: 'Socket', settings: '{}', created_at: at, updated_at: at },
        ]);
      });
      const tenants = await store.db.selectFrom('tenants').select('name').where('id', '=', 'ten_socket').execute();
      expect(tenants).toEqual([{ name: 'Socket' }]);
    } finally {
      await store.close();
    }
  });

  it('opens no more connections than its pool size, however many statements wait', async () => {
    const store = openStore(scratch.url, { poolSize: 2 });
    try {
      const pids = await Promise.all(
        Array.from({ length: 12 }, () =>
          sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.02)`
            .execute(store.db)
            .then((r) => r.rows[0]!.pid),
        ),
      );
      expect(new Set(pids).size).toBe(2);
    } finally {
      await store.close();
    }
  });
});
