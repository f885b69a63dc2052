import { Temporal } from '@js-temporal/polyfill';
import { expect, it } from 'vitest';
import { createManualClock } from '#common/clock';
import { describeEachStore, useScratchStore } from '#support/stores';
import { createKvStore, pruneKv } from './kv-store';

describeEachStore("Fedify's key-value store on Usher's database", (engine) => {
  const store = useScratchStore(engine);
  const clock = createManualClock(new Date('2026-11-25T10:00:00Z'));

  it('gets, sets, overwrites and deletes JSON values by key', async () => {
    const kv = createKvStore(store.current.db, engine, clock);
    await kv.set(['a', 'b'], { n: 1 });
    expect(await kv.get(['a', 'b'])).toEqual({ n: 1 });
    await kv.set(['a', 'b'], [1, 2]);
    expect(await kv.get(['a', 'b'])).toEqual([1, 2]);
    await kv.delete(['a', 'b']);
    expect(await kv.get(['a', 'b'])).toBeUndefined();
  });

  it('forgets a value once its ttl has passed, and prunes it', async () => {
    const kv = createKvStore(store.current.db, engine, clock);
    await kv.set(['ttl'], 'soon gone', { ttl: Temporal.Duration.from({ seconds: 30 }) });
    expect(await kv.get(['ttl'])).toBe('soon gone');
    clock.advance(31_000);
    expect(await kv.get(['ttl'])).toBeUndefined();
    expect(await pruneKv(store.current.db, clock.now())).toBeGreaterThanOrEqual(1);
  });

  it('swaps only when the current value is the expected one, absent meaning undefined', async () => {
    const kv = createKvStore(store.current.db, engine, clock);
    expect(await kv.cas(['cas'], undefined, 1)).toBe(true);
    expect(await kv.cas(['cas'], undefined, 2)).toBe(false);
    expect(await kv.cas(['cas'], 1, 3)).toBe(true);
    expect(await kv.get(['cas'])).toBe(3);
    expect(await kv.cas(['cas'], 3, undefined)).toBe(true);
    expect(await kv.get(['cas'])).toBeUndefined();
  });

  it('lists by prefix, without matching keys that merely share a string start', async () => {
    const kv = createKvStore(store.current.db, engine, clock);
    await kv.set(['_fedify', 'x', '1'], 1);
    await kv.set(['_fedify', 'x', '2'], 2);
    await kv.set(['_fedify', 'xy'], 3);
    await kv.set(['_fedify', 'x'], 0);
    const listed = [];
    for await (const entry of kv.list(['_fedify', 'x'])) listed.push(entry);
    expect(
      listed.sort((x, y) => x.key.length - y.key.length || String(x.value).localeCompare(String(y.value))),
    ).toEqual([
      { key: ['_fedify', 'x'], value: 0 },
      { key: ['_fedify', 'x', '1'], value: 1 },
      { key: ['_fedify', 'x', '2'], value: 2 },
    ]);
  });
});
