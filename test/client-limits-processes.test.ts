import { afterAll, beforeAll, expect, it } from 'vitest';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { requestFrom } from '#support/loopback';
import { CLIENT_COUNT_FLUSH_MS } from '#limits';

describeEachStore('limits for anonymous callers across processes', (engine) => {
  let scratch: ScratchDatabase;
  let first: RunningUsher;
  let second: RunningUsher;
  beforeAll(async () => {
    scratch = await createScratchDatabase(engine);
    const env = { USHER_CLIENT_LIMIT_PUBLIC: '4', USHER_RUN_WORKER: 'false' };
    first = await startUsher({ databaseUrl: scratch.url, env });
    second = await startUsher({ databaseUrl: scratch.url, env });
  }, 60_000);
  afterAll(async () => {
    await stopAllUshers();
    await scratch.drop();
  });

  it('share one count per client: what each process counts reaches the database within a second, and both refuse past it', async () => {
    const created = await fetch(`${first.url}/v1/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'link', usesAllowed: 10 }),
    });
    const token = new URL(((await created.json()) as { url: string }).url).pathname.split('/').pop()!;
    const view = (usher: RunningUsher, from: string) =>
      requestFrom(from, `${usher.url}/v1/public/invitations/${token}`);
    const left = (answer: { headers: Record<string, unknown> }) =>
      /;r=(\d+);/.exec(String(answer.headers.ratelimit))?.[1];
    // The windows are the wall clock's minutes: start well inside one, so every request falls in it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));

    // The lower half of a budget (2 of 4) is counted in each process's memory and written within a second.
    const wait = () => new Promise((resolve) => setTimeout(resolve, CLIENT_COUNT_FLUSH_MS + 500));
    const early = [await view(first, '127.0.0.2'), await view(first, '127.0.0.2')];
    expect(early.map(left)).toEqual(['3', '2']);
    await wait();
    const meanwhile = [await view(second, '127.0.0.2'), await view(second, '127.0.0.2')];
    expect(meanwhile.map((answer) => answer.status)).toEqual([200, 200]);
    await wait();
    // Both counts are in the database now: each process refuses, though each counted only two itself.
    expect((await view(second, '127.0.0.2')).status).toBe(429);
    expect((await view(first, '127.0.0.2')).status).toBe(429);
    expect((await view(second, '127.0.0.3')).status).toBe(200);
  });

  it('admit at most the limit and half of it again when both count a burst before either has written', async () => {
    const created = await fetch(`${first.url}/v1/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'link', usesAllowed: 10 }),
    });
    const token = new URL(((await created.json()) as { url: string }).url).pathname.split('/').pop()!;
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));
    const statuses: number[] = [];
    for (const usher of [first, second, first, second, second, first, first, second]) {
      statuses.push((await requestFrom('127.0.0.4', `${usher.url}/v1/public/invitations/${token}`)).status);
    }
    const admitted = statuses.filter((status) => status === 200).length;
    // Limit 4, two processes: each may have counted its lower half (2) unwritten, so 4 to 6 get through.
    expect(admitted).toBeGreaterThanOrEqual(4);
    expect(admitted).toBeLessThanOrEqual(6);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });
});
