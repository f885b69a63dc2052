import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '#app';
import { systemClock } from '#common/clock';
import { migrateToLatest, openStore, type Store } from '#db';
import { createRetryPolicy, createSmtpMailer, type Mailer } from '#delivery';
import { createTenant, type CreatedTenant } from '#tenants';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';
import { startSmtpServer, type TestSmtpServer } from '#support/smtp';

// Far longer than the bound below: an email that waited for the next poll could not arrive in time.
const POLL_INTERVAL_MS = 30_000;
const ARRIVAL_BOUND_MS = 2_000;

describeEachStore('a worker that polls rarely, woken by the commit of what it must send', (engine) => {
  const state = {} as { scratch: ScratchDatabase; store: Store; smtp: TestSmtpServer; mailer: Mailer; tenant: CreatedTenant; app: ReturnType<typeof createApp> };
  beforeAll(async () => {
    state.scratch = await createScratchDatabase(engine);
    state.store = openStore(state.scratch.url);
    await migrateToLatest(state.store.db);
    state.tenant = await createTenant(state.store.db, { name: 'Wake', operator: true }, systemClock.now());
    state.smtp = await startSmtpServer();
    state.mailer = createSmtpMailer(state.smtp.url);
    state.app = createApp({
      db: state.store.db,
      engine,
      clock: systemClock,
      publicUrl: 'http://usher.test',
      version: 'test',
      mailer: state.mailer,
      fromAddress: 'Usher <no-reply@usher.test>',
      allowPrivateNetwork: true,
      retryPolicy: createRetryPolicy(),
      worker: { pollIntervalMs: POLL_INTERVAL_MS, onError: (error) => console.error(error) },
      logError: (error) => console.error(error),
    });
    state.app.worker.start();
    // Let its first poll find nothing and go to sleep for the long interval.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });
  afterAll(async () => {
    await state.app?.worker.stop();
    await state.mailer?.close();
    await state.smtp?.close();
    await state.store?.close();
    await state.scratch?.drop();
  });

  it(`starts a bulk create's emails within ${2 * ARRIVAL_BOUND_MS} ms of its answer, though its rows were written long before its COMMIT`, async () => {
    const before = state.smtp.received.length;
    const count = 40;
    const response = await state.app.app.request('/v1/invitations/bulk', {
      method: 'POST',
      headers: { authorization: `Bearer ${state.tenant.apiKey.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: Array.from({ length: count }, (_, n) => ({ recipient: { email: `bulk${n}@example.com` } })) }),
    });
    expect(response.status).toBe(200);
    const answered = Date.now();
    // Its first send waits for links to be minted for a round of 32 rows: twice the bound of a lone create.
    await state.smtp.waitFor(before + 1, 2 * ARRIVAL_BOUND_MS);
    const first = Date.now() - answered;
    // The rest is sending time, which a loaded machine stretches; a missed wake would still take the full 30 s.
    await state.smtp.waitFor(before + count, 10 * ARRIVAL_BOUND_MS);
    console.log(`[${engine}] bulk of ${count} answered → first email ${first} ms, last ${Date.now() - answered} ms`);
  });

  it(`delivers each invitation email within ${ARRIVAL_BOUND_MS} ms of the create's answer`, async () => {
    const latencies: number[] = [];
    for (let n = 0; n < 10; n++) {
      const before = state.smtp.received.length;
      const response = await state.app.app.request('/v1/invitations', {
        method: 'POST',
        headers: { authorization: `Bearer ${state.tenant.apiKey.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ recipient: { email: `wake${n}@example.com` } }),
      });
      expect(response.status).toBe(201);
      const answered = Date.now();
      await state.smtp.waitFor(before + 1, ARRIVAL_BOUND_MS);
      latencies.push(Date.now() - answered);
      // Each create finds the worker asleep again, as a lone create between polls would.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    console.log(`[${engine}] create answered → email received, ms: ${latencies.join(', ')}`);
    expect(state.smtp.received.slice(-10).map((m) => m.envelopeTo[0])).toEqual(Array.from({ length: 10 }, (_, n) => `wake${n}@example.com`));
  });
});
