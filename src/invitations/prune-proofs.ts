import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { isoTime } from '#common/json';

/**
 * Deletes the email codes and DID challenges past their expiry, on the housekeeping sweep. Neither can prove anything
 * once expired (the accept checks expires_at), but nothing else removes a code or a challenge nobody came back for:
 * a challenge is swept only when its invitation gets the next one, a code only when its address asks again.
 * Their lifetimes are minutes, so the tables stay small and a scan on each sweep is cheap.
 *
 * Pending join requests are not expired here: one holds no seat, approving it refuses as accepting would once its
 * link has expired, been spent or been revoked, and the requester waits for a person's answer, which a silent
 * deletion would never give them. They stay for an operator to decline.
 */
export async function pruneExpiredProofs(
  db: Kysely<Database>,
  now: Date,
): Promise<{ readonly emailProofs: number; readonly didChallenges: number }> {
  const at = isoTime(now);
  const proofs = await db.deleteFrom('email_proofs').where('expires_at', '<=', at).executeTakeFirst();
  const challenges = await db.deleteFrom('did_challenges').where('expires_at', '<=', at).executeTakeFirst();
  return { emailProofs: Number(proofs.numDeletedRows), didChallenges: Number(challenges.numDeletedRows) };
}
