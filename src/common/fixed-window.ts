import { isoTime } from './json';

/** The fixed window a moment falls in: its start (the counter's key) and the whole seconds until the next. */
export interface FixedWindow {
  readonly start: string;
  /** At least 1, so a Retry-After never asks for an immediate retry into the same window. */
  readonly secondsLeft: number;
}

/** Windows are aligned to the epoch, so every process on one database counts into the same row. */
export function fixedWindow(now: Date, windowMs: number): FixedWindow {
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return {
    start: isoTime(new Date(start)),
    secondsLeft: Math.max(1, Math.ceil((start + windowMs - now.getTime()) / 1000)),
  };
}
