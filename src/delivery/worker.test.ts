import { expect, it } from 'vitest';
import { createManualClock } from '#common/clock';
import type { OutboxRow } from '#db';
import { createTenant } from '#tenants';
import { describeEachStore, useScratchStore } from '#support/stores';
import { enqueue } from './outbox';
import { DEFAULT_LINGER_MS } from './result-recorder';
import { createRetryPolicy } from './retry-policy';
import { createOutboxWorker, type DeliveryHandler, type PreparedDelivery } from './worker';

describeEachStore('an outbox worker whose batch outlasts its lease', (engine) => {
  const store = useScratchStore(engine);

  it.each([
    ['delivered row by row', false],
    ['prepared in batches', true],
  ])(
    'renews the lease of the sends about to start, and skips a row another worker took over once the batch lease ran out (%s)',
    async (_style, prepared) => {
      const clock = createManualClock(new Date('2026-11-26T10:00:00.000Z'));
      const { tenant } = await createTenant(store.current.db, { name: 'Lease' }, clock.now());
      await enqueue(
        store.current.db,
        [1, 2, 3].map((n) => ({ tenantId: tenant.id, topic: 'webhook' as const, payload: { n } })),
        clock.now(),
      );
      const sent: string[] = [];
      const gates: Array<() => void> = [];
      const slowSend = async (row: OutboxRow) => {
        sent.push(`a:${JSON.parse(row.payload).n}`);
        await new Promise<void>((resolve) => gates.push(resolve));
        return { outcome: 'sent' as const };
      };
      const slow: DeliveryHandler = prepared
        ? {
            deliver: slowSend,
            prepare: async (rows) => new Map(rows.map((row) => [row.id, { send: () => slowSend(row) }])),
          }
        : { deliver: slowSend };
      const fast: DeliveryHandler = {
        async deliver(row: OutboxRow) {
          sent.push(`b:${JSON.parse(row.payload).n}`);
          return { outcome: 'sent' };
        },
      };
      const common = {
        db: store.current.db,
        engine,
        clock,
        retryPolicy: createRetryPolicy(),
        leaseMs: 1_000,
        concurrency: 1,
      };
      const a = createOutboxWorker({ ...common, workerId: 'worker-a', handlers: { webhook: slow } });
      const b = createOutboxWorker({ ...common, workerId: 'worker-b', handlers: { webhook: fast } });
      const sendStarted = async (count: number) => {
        while (gates.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const storedCount = async (count: number) => {
        const sentRows = () =>
          store.current.db
            .selectFrom('outbox')
            .select(['id'])
            .where('tenant_id', '=', tenant.id)
            .where('status', '=', 'sent')
            .execute();
        while ((await sentRows()).length < count) await new Promise((resolve) => setTimeout(resolve, 5));
      };

      const running = a.runOnce(); // claims all three with a lease until +1 s
      await sendStarted(1);
      clock.advance(600); // the first send takes 0.6 s
      gates[0]!();
      await sendStarted(2); // the second send renewed its row's lease to +1.6 s
      // The first result is stored after a short real-time linger: wait for it, or b could take row 1 too.
      await storedCount(1);
      clock.advance(600); // +1.2 s: the batch's lease has run out, the second send's has not
      expect(await b.runOnce()).toBe(1); // only the row a has not started
      gates[1]!();
      await running;

      // a sent the two rows it started, b the one a had not reached; nothing went twice.
      expect(sent.filter((s) => s.startsWith('a:'))).toHaveLength(2);
      expect(sent.filter((s) => s.startsWith('b:'))).toHaveLength(1);
      expect(new Set(sent.map((s) => s.slice(2)))).toEqual(new Set(['1', '2', '3']));
      const rows = await store.current.db
        .selectFrom('outbox')
        .select(['status'])
        .where('tenant_id', '=', tenant.id)
        .execute();
      expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
    },
  );
});

describeEachStore('an outbox worker with a handler that prepares rows together', (engine) => {
  const store = useScratchStore(engine);

  it('prepares a round of rows at a time, sends each once, records every attempt and settles each sent row in its transaction', async () => {
    const clock = createManualClock(new Date('2026-11-26T10:00:00.000Z'));
    const { tenant } = await createTenant(store.current.db, { name: 'Batches' }, clock.now());
    await enqueue(
      store.current.db,
      [1, 2, 3, 4, 5].map((n) => ({ tenantId: tenant.id, topic: 'webhook' as const, payload: { n } })),
      clock.now(),
    );
    const rounds: number[] = [];
    const sent: number[] = [];
    const settled: string[] = [];
    const handler: DeliveryHandler = {
      deliver: async () => ({ outcome: 'failed', error: 'prepare should have been used' }),
      async prepare(rows) {
        rounds.push(rows.length);
        return new Map<string, PreparedDelivery>(
          rows.map((row) => [
            row.id,
            {
              send: async () => {
                sent.push(JSON.parse(row.payload).n);
                return { outcome: 'sent', responseCode: 250 };
              },
              async settled(trx, status) {
                // Written in the transaction that stores the outcome: the row reads as sent in it already.
                const stored = await trx
                  .selectFrom('outbox')
                  .select('status')
                  .where('id', '=', row.id)
                  .executeTakeFirstOrThrow();
                settled.push(`${JSON.parse(row.payload).n}:${status}:${stored.status}`);
              },
            },
          ]),
        );
      },
    };
    const worker = createOutboxWorker({
      db: store.current.db,
      engine,
      clock,
      retryPolicy: createRetryPolicy(),
      concurrency: 2,
      handlers: { webhook: handler },
    });
    expect(await worker.runOnce()).toBe(5);
    expect(rounds).toEqual([2, 2, 1]);
    expect(sent.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(settled.sort()).toEqual(['1:sent:sent', '2:sent:sent', '3:sent:sent', '4:sent:sent', '5:sent:sent']);
    const attempts = await store.current.db
      .selectFrom('delivery_attempts')
      .select(['outcome', 'attempt', 'response_code'])
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(attempts).toHaveLength(5);
    expect(attempts.every((a) => a.outcome === 'sent' && a.attempt === 1 && a.response_code === 250)).toBe(true);
    expect(await worker.runOnce()).toBe(0);
  });
});

describeEachStore('an outbox worker whose results cannot be stored yet', (engine) => {
  const store = useScratchStore(engine);

  it('sends at most two messages a lane before it waits for the first to be stored, so a crash can repeat at most that many', async () => {
    const clock = createManualClock(new Date('2026-11-26T10:00:00.000Z'));
    const { tenant } = await createTenant(store.current.db, { name: 'Stalled store' }, clock.now());
    await enqueue(
      store.current.db,
      Array.from({ length: 40 }, (_, n) => ({ tenantId: tenant.id, topic: 'webhook' as const, payload: { n } })),
      clock.now(),
    );
    const sent: number[] = [];
    let release!: () => void;
    const stored = new Promise<void>((resolve) => (release = resolve));
    const handler: DeliveryHandler = {
      async deliver(row) {
        sent.push(JSON.parse(row.payload).n);
        return { outcome: 'sent' };
      },
      // Runs inside the transaction that stores a group: holding it is a store that has stalled.
      settled: () => stored,
    };
    const concurrency = 4;
    const worker = createOutboxWorker({
      db: store.current.db,
      engine,
      clock,
      retryPolicy: createRetryPolicy(),
      concurrency,
      handlers: { webhook: handler },
    });

    const running = worker.runOnce();
    let seen = -1;
    while (sent.length !== seen) {
      seen = sent.length;
      await new Promise((resolve) => setTimeout(resolve, 5 * DEFAULT_LINGER_MS)); // long past the recorder's wait for a group
    }
    // Each lane went on past its first result, and stopped at its second.
    expect(sent).toHaveLength(2 * concurrency);

    release();
    expect(await running).toBe(40);
    expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    const rows = await store.current.db
      .selectFrom('outbox')
      .select('status')
      .where('tenant_id', '=', tenant.id)
      .execute();
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
  });
});

describeEachStore('an outbox worker stopped mid-batch', (engine) => {
  const store = useScratchStore(engine);

  it('gives back the claims it never started, so another worker takes them without waiting for the lease', async () => {
    const clock = createManualClock(new Date('2026-11-26T10:00:00.000Z'));
    const { tenant } = await createTenant(store.current.db, { name: 'Stopping' }, clock.now());
    const items = [1, 2, 3].map((n) => ({ tenantId: tenant.id, topic: 'webhook' as const, payload: { n } }));
    await enqueue(store.current.db, items, clock.now());
    const sent: string[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow: DeliveryHandler = {
      async deliver(row) {
        sent.push(`a:${JSON.parse(row.payload).n}`);
        await gate;
        return { outcome: 'sent' };
      },
    };
    const fast: DeliveryHandler = {
      async deliver(row) {
        sent.push(`b:${JSON.parse(row.payload).n}`);
        return { outcome: 'sent' };
      },
    };
    const common = { db: store.current.db, engine, clock, retryPolicy: createRetryPolicy(), concurrency: 1 };
    const a = createOutboxWorker({ ...common, workerId: 'worker-a', handlers: { webhook: slow }, pollIntervalMs: 10 });
    const b = createOutboxWorker({ ...common, workerId: 'worker-b', handlers: { webhook: fast } });

    a.start(); // claims all three, sends one at a time
    while (sent.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = a.stop();
    open();
    await stopped;

    const held = await store.current.db
      .selectFrom('outbox')
      .select(['status', 'claimed_by', 'attempts'])
      .where('tenant_id', '=', tenant.id)
      .where('status', '!=', 'sent')
      .execute();
    expect(held).toEqual([
      { status: 'pending', claimed_by: null, attempts: 0 },
      { status: 'pending', claimed_by: null, attempts: 0 },
    ]);
    // The clock has not moved: without the hand-back, a's lease would still hold them.
    expect(await b.runOnce()).toBe(2);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((s) => s.slice(2)))).toEqual(new Set(['1', '2', '3']));
  });
});
