import { expect, it } from 'vitest';
import { createManualClock } from '#common/clock';
import type { Db } from '#db';
import { createTenant } from '#tenants';
import { describeEachStore, useScratchStore } from '#support/stores';
import { claimDue, enqueue } from './outbox';
import { createResultRecorder, MAX_GROUP, type RecordedAttempt } from './result-recorder';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describeEachStore('a result recorder', (engine) => {
  const store = useScratchStore(engine);
  const clock = createManualClock(new Date('2026-12-05T10:00:00.000Z'));

  /** `count` rows claimed by worker-r, and attempts for them whose `settled` notes the transaction it ran in. */
  async function claimedAttempts(count: number) {
    const { tenant } = await createTenant(store.current.db, { name: 'Recorder' }, clock.now());
    await enqueue(
      store.current.db,
      Array.from({ length: count }, (_, n) => ({ tenantId: tenant.id, topic: 'webhook' as const, payload: { n } })),
      clock.now(),
    );
    const rows = await claimDue(store.current.db, engine, 'worker-r', clock.now(), 60_000, count);
    const transactions: Db[] = [];
    const attempts: RecordedAttempt[] = rows.map((row) => ({
      row,
      result: { outcome: 'sent' },
      timing: { startedAt: clock.now(), finishedAt: clock.now() },
      retryDelayMs: null,
      settled: async (trx) => void transactions.push(trx),
    }));
    const statuses = async () =>
      (await store.current.db.selectFrom('outbox').select('status').where('tenant_id', '=', tenant.id).execute()).map(
        (r) => r.status,
      );
    return { attempts, transactions, statuses };
  }

  it('writes the results that arrive in separate turns within its wait in one transaction', async () => {
    const { attempts, transactions, statuses } = await claimedAttempts(5);
    const recorder = createResultRecorder({ db: store.current.db, clock, workerId: 'worker-r', lingerMs: 200 });
    const recorded: Promise<void>[] = [];
    for (const attempt of attempts) {
      recorded.push(recorder.record(attempt));
      await nextTurn();
    }
    await Promise.all(recorded);
    expect(transactions).toHaveLength(5);
    expect(new Set(transactions).size).toBe(1);
    expect(await statuses()).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it('writes at once a result asked for promptly, with those waiting for it', async () => {
    const { attempts, transactions, statuses } = await claimedAttempts(2);
    const recorder = createResultRecorder({ db: store.current.db, clock, workerId: 'worker-r', lingerMs: 60_000 });
    let firstStored = false;
    const first = recorder.record(attempts[0]!).then(() => (firstStored = true));
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(firstStored).toBe(false);
    await recorder.record(attempts[1]!, { promptly: true });
    await first;
    expect(new Set(transactions).size).toBe(1);
    expect(await statuses()).toEqual(['sent', 'sent']);
  });

  it('writes a full group without waiting, and the rest after', async () => {
    const { attempts, transactions, statuses } = await claimedAttempts(MAX_GROUP + 1);
    const recorder = createResultRecorder({ db: store.current.db, clock, workerId: 'worker-r', lingerMs: 60_000 });
    const full = attempts.slice(0, MAX_GROUP).map((attempt) => recorder.record(attempt));
    await Promise.all(full);
    expect(transactions).toHaveLength(MAX_GROUP);
    expect(new Set(transactions).size).toBe(1);
    await recorder.record(attempts[MAX_GROUP]!, { promptly: true });
    expect(new Set(transactions).size).toBe(2);
    expect((await statuses()).every((status) => status === 'sent')).toBe(true);
  });

  it('writes a prompt result that came after a full group right after that group', async () => {
    const { attempts, transactions, statuses } = await claimedAttempts(MAX_GROUP + 1);
    const recorder = createResultRecorder({ db: store.current.db, clock, workerId: 'worker-r', lingerMs: 60_000 });
    const recorded = attempts.map((attempt, n) => recorder.record(attempt, { promptly: n === MAX_GROUP }));
    await Promise.all(recorded);
    expect(new Set(transactions).size).toBe(2);
    expect((await statuses()).every((status) => status === 'sent')).toBe(true);
  });
});
