/**
 * The pure quota and pacing policy: when the next invitation of an account may go, given the
 * slots it already holds. Sends are first in, first out: a new one never goes before the last
 * one scheduled, so only windows that end at its own slot can be over their limit.
 */
import type { ProviderLimits } from './limits';

/** A slot an account already holds (sent, or waiting in the outbox). */
export interface HeldSlot {
  readonly at: Date;
  readonly withNote: boolean;
}

const HOUR = 3600_000;
/** Rolling windows, in milliseconds. */
export const WINDOWS = { day: 24 * HOUR, week: 7 * 24 * HOUR, month: 30 * 24 * HOUR } as const;

/** How much of one window an account has used, as of a moment. */
export interface WindowUse {
  readonly limit: number | null;
  readonly used: number;
  readonly remaining: number | null;
}

/** An account's quota as the API shows it. */
export interface QuotaSnapshot {
  readonly day: WindowUse;
  readonly week: WindowUse;
  readonly notesMonth: WindowUse;
  /** Sends waiting for a slot still to come. */
  readonly queued: number;
  /** The earliest slot a new invitation without a note would get, jitter left out. */
  readonly nextSlot: string;
  /** The same with a note; null when the account may not send notes. */
  readonly nextSlotWithNote: string | null;
}

/**
 * The earliest slot at or after `now` for one more send: after the last held slot by the
 * spacing plus `random()` × jitter, then pushed past every window that would be over its limit.
 * Returns null when no slot can ever exist (a note when notes are limited to 0).
 */
export function nextSlot(
  limits: ProviderLimits,
  held: readonly HeldSlot[],
  request: { readonly now: Date; readonly withNote: boolean },
  random: () => number = Math.random,
): Date | null {
  if (request.withNote && limits.notesPerMonth === 0) return null;
  const slots = [...held].sort((x, y) => x.at.getTime() - y.at.getTime());
  let at = request.now.getTime();
  const last = slots.at(-1);
  if (last) {
    const gap = limits.minSpacingSeconds * 1000 + Math.floor(random() * limits.jitterSeconds * 1000);
    at = Math.max(at, last.at.getTime() + gap);
  }
  const windows: [number, number | null, readonly HeldSlot[]][] = [
    [WINDOWS.day, limits.invitationsPerDay, slots],
    [WINDOWS.week, limits.invitationsPerWeek, slots],
    [WINDOWS.month, request.withNote ? limits.notesPerMonth : null, slots.filter((s) => s.withNote)],
  ];
  // Each push moves `at` forward to when the oldest slot in the way leaves its window; since
  // every held slot is at or before `at`, pushing can only empty windows, so this ends.
  for (let moved = true; moved;) {
    moved = false;
    for (const [length, limit, counted] of windows) {
      if (limit === null) continue;
      if (limit <= 0) return null;
      const inside = counted.filter((s) => s.at.getTime() > at - length && s.at.getTime() <= at);
      if (inside.length < limit) continue;
      // Half-open window (at - length, at]: a slot exactly `length` before `at` is out of it.
      at = inside[inside.length - limit]!.at.getTime() + length;
      moved = true;
    }
  }
  return new Date(at);
}

function use(limit: number | null, slots: readonly HeldSlot[], now: number, length: number): WindowUse {
  const used = slots.filter((s) => s.at.getTime() > now - length && s.at.getTime() <= now).length;
  return { limit, used, remaining: limit === null ? null : Math.max(0, limit - used) };
}

/** Where an account stands at `now`: use per window, what waits, and the next free slots. */
export function quotaSnapshot(limits: ProviderLimits, held: readonly HeldSlot[], now: Date): QuotaSnapshot {
  const t = now.getTime();
  const earliest = (withNote: boolean) => nextSlot(limits, held, { now, withNote }, () => 0)?.toISOString() ?? null;
  return {
    day: use(limits.invitationsPerDay, held, t, WINDOWS.day),
    week: use(limits.invitationsPerWeek, held, t, WINDOWS.week),
    notesMonth: use(
      limits.notesPerMonth,
      held.filter((s) => s.withNote),
      t,
      WINDOWS.month,
    ),
    queued: held.filter((s) => s.at.getTime() > t).length,
    nextSlot: earliest(false)!,
    nextSlotWithNote: earliest(true),
  };
}
