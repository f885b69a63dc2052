import { describe, expect, it } from 'vitest';
import { forgetRemembered, ShortMemory } from './index';

/** A memory over a hand-moved monotonic clock, and a read that counts its calls and answers what `answer` holds. */
function fixture(ttlMs: number) {
  const time = { ms: 0 };
  const memory = new ShortMemory(ttlMs, () => time.ms);
  const source = { answer: 'first' as string | null, reads: 0 };
  const read = async () => {
    source.reads++;
    return source.answer;
  };
  return { memory, time, source, recall: () => memory.recall('row', read) };
}

describe('ShortMemory', () => {
  it('believes a read for its time, then reads again', async () => {
    const { time, source, recall } = fixture(1_000);
    expect(await recall()).toBe('first');
    // Changed behind its back (another process): believed until the second is up, and no longer.
    source.answer = 'second';
    time.ms = 999;
    expect(await recall()).toBe('first');
    time.ms = 1_000;
    expect(await recall()).toBe('second');
    expect(source.reads).toBe(2);
  });

  it('never remembers null (an unknown or revoked key is read each time)', async () => {
    const { source, recall } = fixture(1_000);
    source.answer = null;
    expect(await recall()).toBeNull();
    expect(await recall()).toBeNull();
    expect(source.reads).toBe(2);
    source.answer = 'found';
    expect(await recall()).toBe('found');
  });

  it('reads every time with a time of 0', async () => {
    const { source, recall } = fixture(0);
    await recall();
    source.answer = 'second';
    expect(await recall()).toBe('second');
    expect(source.reads).toBe(2);
  });

  it('keeps reads by their key, apart', async () => {
    const { memory } = fixture(1_000);
    expect(await memory.recall('a', async () => 1)).toBe(1);
    expect(await memory.recall('b', async () => 2)).toBe(2);
    expect(await memory.recall('a', async () => 3)).toBe(1);
  });

  it('forgets at once when a change commits, in every memory, and does not keep what a read begun before saw', async () => {
    const one = fixture(60_000);
    const other = fixture(60_000);
    await one.recall();
    await other.recall();
    one.source.answer = 'second';
    other.source.answer = 'second';
    forgetRemembered();
    expect(await one.recall()).toBe('second');
    expect(await other.recall()).toBe('second');
    // A read that began before the change committed saw the row as it was: it is answered but not kept.
    const { memory, source } = one;
    let release!: () => void;
    const started = memory.recall('slow', async () => {
      source.reads++;
      await new Promise<void>((resolve) => (release = resolve));
      return 'old';
    });
    forgetRemembered();
    release();
    expect(await started).toBe('old');
    expect(await memory.recall('slow', async () => 'new')).toBe('new');
  });
});
