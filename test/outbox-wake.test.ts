import { expect, it } from 'vitest';
import { createRetryPolicy } from '#delivery';
import { describeEachStore } from '#support/stores';
import { useLiveUsher } from '#support/live-usher';

// Far longer than the bound below: an email that waited for the next poll could not arrive in time.
const POLL_INTERVAL_MS = 30_000;
const ARRIVAL_BOUND_MS = 2_000;

describeEachStore('a worker that polls rarely, woken by the commit of what it must send', (engine) => {
  // Its first poll finds nothing, and it goes to sleep for the long interval.
  const state = useLiveUsher(engine, {
    retryPolicy: createRetryPolicy(),
    worker: { pollIntervalMs: POLL_INTERVAL_MS, onError: (error) => console.error(error) },
  });

  it(`starts a bulk create's emails within ${2 * ARRIVAL_BOUND_MS} ms of its answer, though its rows were written long before its COMMIT`, async () => {
    const before = state.smtp.received.length;
    const count = 40;
    const response = await state.api('/v1/invitations/bulk', {
      method: 'POST',
      body: JSON.stringify({
        items: Array.from({ length: count }, (_, n) => ({ recipient: { email: `bulk${n}@example.com` } })),
      }),
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
      const response = await state.api('/v1/invitations', {
        method: 'POST',
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
    expect(state.smtp.received.slice(-10).map((m) => m.envelopeTo[0])).toEqual(
      Array.from({ length: 10 }, (_, n) => `wake${n}@example.com`),
    );
  });
});
