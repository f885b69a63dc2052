import { describe, expect, it } from 'vitest';
import { createAdmission } from './admission';

/** A piece of work that runs until `finish` is called, recording when it started. */
function heldWork(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => (started.push(name), done.then(() => name)), finish: () => finish() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createAdmission', () => {
  it('works on at most `limit` at once and lets the others in in the order they came', async () => {
    const { admit, waiting } = createAdmission({ limit: 2, maxWaitMs: 60_000 });
    const started: string[] = [];
    const works = ['a', 'b', 'c', 'd', 'e'].map((name) => heldWork(started, name));
    const answers = works.map((w) => admit(w.work));
    await tick();
    expect(started).toEqual(['a', 'b']);
    expect(waiting()).toBe(3);
    works[1]!.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    works[0]!.finish();
    works[2]!.finish();
    await tick();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(waiting()).toBe(0);
    works[3]!.finish();
    works[4]!.finish();
    expect(await Promise.all(answers)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('gives the turn of a work that failed to the next', async () => {
    const { admit } = createAdmission({ limit: 1, maxWaitMs: 60_000 });
    const failing = admit(async () => {
      throw new Error('refused');
    });
    const next = admit(async () => 'ran');
    await expect(failing).rejects.toThrow('refused');
    expect(await next).toBe('ran');
  });

  it('lets a request in past the limit once it waited maxWaitMs, and keeps count after', async () => {
    const { admit, waiting, letInLate } = createAdmission({ limit: 1, maxWaitMs: 30 });
    const started: string[] = [];
    const first = heldWork(started, 'first');
    const second = heldWork(started, 'second');
    const third = heldWork(started, 'third');
    const answers = [admit(first.work), admit(second.work)];
    await tick();
    expect(started).toEqual(['first']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // The first still holds its turn; the second waited long enough and runs beside it.
    expect(started).toEqual(['first', 'second']);
    expect([waiting(), letInLate()]).toEqual([0, 1]);
    first.finish();
    await answers[0];
    // Two were working on one turn: the first's end leaves one working, so the third waits for the second.
    answers.push(admit(third.work));
    await tick();
    expect(started).toEqual(['first', 'second']);
    second.finish();
    await tick();
    expect(started).toEqual(['first', 'second', 'third']);
    expect(letInLate()).toBe(1);
    third.finish();
    expect(await Promise.all(answers)).toEqual(['first', 'second', 'third']);
  });

  it('keeps the order over thousands of waiters, past where the queue drops its front', async () => {
    const { admit } = createAdmission({ limit: 1, maxWaitMs: 60_000 });
    const order: number[] = [];
    const answers = Array.from({ length: 3_000 }, (_, i) =>
      admit(async () => {
        order.push(i);
        await tick();
      }),
    );
    await Promise.all(answers);
    expect(order).toEqual(Array.from({ length: 3_000 }, (_, i) => i));
  });

  it('lets every request in at once with a limit of 0', async () => {
    const { admit } = createAdmission({ limit: 0, maxWaitMs: 30 });
    const started: string[] = [];
    const works = ['a', 'b', 'c'].map((name) => heldWork(started, name));
    const answers = works.map((w) => admit(w.work));
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    for (const w of works) w.finish();
    await Promise.all(answers);
  });
});
