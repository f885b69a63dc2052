import { afterAll, beforeAll, expect, it } from 'vitest';
import { createScratchDatabase, describeEachStore, type ScratchDatabase } from '#support/stores';
import { startUsher, stopAllUshers, TEST_BOOTSTRAP_KEY, type RunningUsher } from '#support/process';
import { requestFrom } from '#support/loopback';

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

  it('share one count per client: two processes on one database refuse the fifth request between them', async () => {
    const created = await fetch(`${first.url}/v1/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_BOOTSTRAP_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'link', usesAllowed: 10 }),
    });
    const token = new URL(((await created.json()) as { url: string }).url).pathname.split('/').pop()!;
    const view = (usher: RunningUsher, from = '127.0.0.2') =>
      requestFrom(from, `${usher.url}/v1/public/invitations/${token}`);
    // The windows are the wall clock's minutes: start well inside one, so all six requests fall in it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 100));

    const answers = [];
    for (const usher of [first, second, first, second, second, first]) answers.push(await view(usher));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(answers.slice(0, 4).map((answer) => /;r=(\d+);/.exec(String(answer.headers.ratelimit))?.[1])).toEqual([
      '3',
      '2',
      '1',
      '0',
    ]);
    expect((await view(second, '127.0.0.3')).status).toBe(200);
  });
});
