import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '#common/clock';
import { migrateToLatest, openStore, type Store } from '#db';
import { createTenant } from '#tenants';
import { closedPort } from '#support/ports';
import { createScratchDatabase, type ScratchDatabase } from '#support/stores';
import { enqueue } from './outbox';
import { createRetryPolicy } from './retry-policy';
import { createOutboxWorker } from './worker';

const postgresUrl = process.env.USHER_TEST_POSTGRES_URL;
const describeOnPostgres = postgresUrl ? describe : describe.skip;

/**
 * The worker's own store reaches PostgreSQL through a port that first refuses (the server is
 * down), then forwards to the real server (it is back): the database, not a stand-in, answers.
 */
describeOnPostgres('an outbox worker while its database is down', () => {
  let scratch: ScratchDatabase;
  let direct: Store;
  let port: number;
  let worker: Store | undefined;
  let relay: Server | undefined;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    scratch = await createScratchDatabase('postgres');
    direct = openStore(scratch.url);
    await migrateToLatest(direct.db);
    port = await closedPort();
  });
  afterAll(async () => {
    await worker?.close();
    await direct.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
    await scratch.drop();
  });

  it('backs off while its polls fail, and resumes by itself, without a wake, once the database answers', async () => {
    const url = new URL(scratch.url);
    url.host = `127.0.0.1:${port}`;
    worker = openStore(url.toString());
    const errors: unknown[] = [];
    const delivered: string[] = [];
    const outbox = createOutboxWorker({
      db: worker.db,
      engine: 'postgres',
      clock: systemClock,
      retryPolicy: createRetryPolicy(),
      pollIntervalMs: 50,
      handlers: { webhook: { deliver: async (row) => (delivered.push(row.id), { outcome: 'sent' }) } },
      onError: (error) => errors.push(error),
    });
    outbox.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      // Polling every 50 ms would have failed some 40 times; doubling waits (50, 100, 200, …) about log2(2000 / 50).
      expect(errors.length).toBeGreaterThan(2);
      expect(errors.length).toBeLessThanOrEqual(Math.ceil(Math.log2(2_000 / 50 + 1)) + 1);

      relay = createServer((client) => {
        const upstream = connect(Number(new URL(postgresUrl!).port), '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve) => relay!.listen(port, '127.0.0.1', resolve));
      const { tenant } = await createTenant(direct.db, { name: 'Outage' }, systemClock.now());
      const row = { tenantId: tenant.id, topic: 'webhook' as const, payload: {} };
      const [id] = await enqueue(direct.db, [row], systemClock.now());
      // No wake(): the worker's own next poll, at most 5 s after its last failure, finds the row.
      const deadline = Date.now() + 8_000;
      while (!delivered.includes(id!) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(delivered).toContain(id);
    } finally {
      await outbox.stop();
    }
  });
});
