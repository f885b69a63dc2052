import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  defaultLimits,
  effectiveLimits,
  nextSlot,
  quotaSnapshot,
  WINDOWS,
  isRetryableStatus,
  retryAfterMs,
  type HeldSlot,
  type ProviderLimits,
} from '#providers';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const open: ProviderLimits = {
  invitationsPerDay: null,
  invitationsPerWeek: null,
  notesPerMonth: null,
  noteMaxLength: 300,
  minSpacingSeconds: 0,
  jitterSeconds: 0,
};
const slots = (...times: number[]): HeldSlot[] => times.map((t) => ({ at: at(t), withNote: false }));
const noted = (...times: number[]): HeldSlot[] => times.map((t) => ({ at: at(t), withNote: true }));

describe('provider pacing', () => {
  it('sends at once when the account holds no slot', () => {
    expect(nextSlot({ ...defaultLimits('linkedin', 'paid') }, [], { now: T0, withNote: false })).toEqual(T0);
  });

  it('keeps the minimum spacing after the last slot, and jitter stays within its bound', () => {
    const limits = { ...open, minSpacingSeconds: 120, jitterSeconds: 180 };
    const held = slots(0);
    expect(nextSlot(limits, held, { now: at(10_000), withNote: false }, () => 0)).toEqual(at(120_000));
    // random() is in [0, 1): the extra wait approaches the jitter but never reaches it.
    expect(nextSlot(limits, held, { now: at(10_000), withNote: false }, () => 0.999_999)!.getTime()).toBe(
      at(120_000 + 179_999).getTime(),
    );
    for (let i = 0; i < 200; i++) {
      const slot = nextSlot(limits, held, { now: at(10_000), withNote: false })!.getTime() - T0.getTime();
      expect(slot).toBeGreaterThanOrEqual(120_000);
      expect(slot).toBeLessThan(300_000);
    }
    // Long after the last send, spacing and jitter no longer delay anything.
    expect(nextSlot(limits, held, { now: at(HOUR), withNote: false }, () => 0.5)).toEqual(at(HOUR));
  });

  it('puts the third invitation of a 2-a-day account 24 hours after the first', () => {
    const limits = { ...open, invitationsPerDay: 2 };
    expect(nextSlot(limits, slots(0, 5 * MIN), { now: at(10 * MIN), withNote: false })).toEqual(at(DAY));
    // The fourth waits for the second to leave the window, the fifth for the third.
    expect(nextSlot(limits, slots(0, 5 * MIN, DAY), { now: at(10 * MIN), withNote: false })).toEqual(at(DAY + 5 * MIN));
    expect(nextSlot(limits, slots(0, 5 * MIN, DAY, DAY + 5 * MIN), { now: at(10 * MIN), withNote: false })).toEqual(
      at(2 * DAY),
    );
  });

  it('lets the weekly limit push past days whose own limit is free', () => {
    const limits = { ...open, invitationsPerDay: 10, invitationsPerWeek: 3 };
    expect(nextSlot(limits, slots(0, DAY, 2 * DAY), { now: at(3 * DAY), withNote: false })).toEqual(at(WINDOWS.week));
    // Without a note, the notes-per-month limit is not in the way.
    expect(nextSlot({ ...open, notesPerMonth: 1 }, noted(0), { now: at(MIN), withNote: false })).toEqual(at(MIN));
  });

  it('counts only notes against the monthly note limit, and refuses notes when it is 0', () => {
    const limits = { ...open, notesPerMonth: 2 };
    const held = [...noted(0, DAY), ...slots(2 * DAY, 3 * DAY)];
    expect(nextSlot(limits, held, { now: at(4 * DAY), withNote: true })).toEqual(at(WINDOWS.month));
    expect(nextSlot(limits, held, { now: at(4 * DAY), withNote: false })).toEqual(at(4 * DAY));
    expect(nextSlot({ ...open, notesPerMonth: 0 }, [], { now: T0, withNote: true })).toBeNull();
  });

  it('treats a window as half-open: a slot exactly a day old no longer counts', () => {
    const limits = { ...open, invitationsPerDay: 1 };
    expect(nextSlot(limits, slots(0), { now: at(DAY), withNote: false })).toEqual(at(DAY));
    expect(nextSlot(limits, slots(0), { now: at(DAY - 1), withNote: false })).toEqual(at(DAY));
  });

  it('shows use per window, what waits, and the next slots', () => {
    const limits = { ...open, invitationsPerDay: 2, invitationsPerWeek: 5, notesPerMonth: 5 };
    const held = [...noted(-2 * DAY), ...slots(0, MIN, DAY)];
    const quota = quotaSnapshot(limits, held, at(2 * MIN));
    expect(quota.day).toEqual({ limit: 2, used: 2, remaining: 0 });
    expect(quota.week).toEqual({ limit: 5, used: 3, remaining: 2 });
    expect(quota.notesMonth).toEqual({ limit: 5, used: 1, remaining: 4 });
    expect(quota.queued).toBe(1);
    expect(quota.nextSlot).toBe(at(DAY + MIN).toISOString());
    expect(quotaSnapshot({ ...limits, notesPerMonth: 0 }, [], T0).nextSlotWithNote).toBeNull();
  });

  it('takes LinkedIn defaults by plan and lets overrides replace single limits', () => {
    expect(defaultLimits('linkedin', 'paid')).toMatchObject({
      invitationsPerDay: 80,
      invitationsPerWeek: 200,
      noteMaxLength: 300,
      notesPerMonth: null,
    });
    expect(defaultLimits('linkedin', 'free')).toMatchObject({
      invitationsPerWeek: 150,
      notesPerMonth: 5,
      noteMaxLength: 200,
    });
    expect(effectiveLimits('linkedin', 'free', { invitationsPerDay: 2, notesPerMonth: null })).toMatchObject({
      invitationsPerDay: 2,
      notesPerMonth: null,
      invitationsPerWeek: 150,
    });
  });
});

describe('connector backoff', () => {
  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    expect(retryAfterMs('3', T0)).toBe(3000);
    expect(retryAfterMs(new Date(T0.getTime() + 90_000).toUTCString(), T0)).toBe(90_000);
    expect(retryAfterMs('soon', T0)).toBeNull();
    expect(retryAfterMs(undefined, T0)).toBeNull();
  });

  it('doubles from the base, caps, and keeps jitter within ±20 %', () => {
    const options = { baseDelayMs: 500, maxDelayMs: 4000, jitter: 0.2 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, options, () => 0.5))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(backoffDelay(2, options, () => 0)).toBe(800);
    expect(backoffDelay(2, options, () => 0.999_999)).toBe(1200);
  });

  it('retries throttling, timeouts, server errors and silence; not other refusals', () => {
    expect([429, 408, 500, 503, null].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 422].some(isRetryableStatus)).toBe(false);
  });
});
