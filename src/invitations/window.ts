import { invitationError } from './errors';

/** Where a window ends: the given end, else `ttlSeconds` after it opens (now, or a later start). */
export function windowEnd(startsAt: Date | null, expiresAt: string | undefined, ttlSeconds: number, now: Date): Date {
  if (expiresAt) return new Date(expiresAt);
  const from = startsAt && startsAt > now ? startsAt : now;
  return new Date(from.getTime() + ttlSeconds * 1000);
}

/** A window must end in the future and after it starts. */
export function checkWindow(startsAt: Date | null, expiresAt: Date, now: Date): void {
  if (expiresAt.getTime() <= now.getTime())
    throw invitationError('invalid_window', 'expiresAt must be in the future', 'body.expiresAt');
  if (startsAt && startsAt.getTime() >= expiresAt.getTime()) {
    throw invitationError('invalid_window', 'startsAt must be before expiresAt', 'body.startsAt');
  }
}
