import { expect, it } from 'vitest';
import { createManualClock } from '#common/clock';
import { describeEachStore, useScratchStore } from '#support/stores';
import { createClientCounter } from './client-windows';

describeEachStore('counting anonymous requests', (engine) => {
  const store = useScratchStore(engine);
  const budget = { group: 'public', limit: 10, windowSeconds: 60 };
  const rows = () => store.current.db.selectFrom('client_limit_windows').select(['client', 'count']).execute();

  it('writes nothing per request in the lower half of a budget, then one row for the lot', async () => {
    const clock = createManualClock(new Date('2026-12-06T10:00:10.000Z'));
    const counter = createClientCounter(store.current.db, clock, { flushMs: 60_000 });
    const decisions = [];
    for (let i = 0; i < 5; i += 1) decisions.push(await counter.count(budget, '192.0.2.1', clock.now()));
    expect(decisions.map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5]);
    expect(await rows()).toEqual([]);
    await counter.flush();
    expect(await rows()).toEqual([{ client: '192.0.2.1', count: 5 }]);
  });

  it('counts the upper half in the database, request by request, and refuses on the shared count', async () => {
    const clock = createManualClock(new Date('2026-12-06T10:01:10.000Z'));
    const one = createClientCounter(store.current.db, clock, { flushMs: 60_000 });
    const two = createClientCounter(store.current.db, clock, { flushMs: 60_000 });
    for (let i = 0; i < 5; i += 1) await one.count(budget, '192.0.2.2', clock.now());
    await one.flush();
    // The second process has not seen this client: its lower half is its own, then the database's count decides.
    const answers = [];
    for (let i = 0; i < 8; i += 1) answers.push(await two.count(budget, '192.0.2.2', clock.now()));
    expect(answers.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(answers.map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5, 0, 0, 0]);
    const [row] = await rows().then((all) => all.filter((r) => r.client === '192.0.2.2'));
    expect(row!.count).toBe(13);
  });
});
