import { createHmac } from 'node:crypto';
import type { Db, InvitationRow } from '#db';
import type { AppError } from '#common/errors';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { safeEqual } from '#common/secrets';
import { invitationError } from './errors';
import type { LinkKey } from './links';

/** How long a mailed code works. */
export const EMAIL_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes a code survives; at this many it is dead, and only a new one helps. */
export const EMAIL_CODE_ATTEMPTS = 5;

/**
 * The six-digit code of one proof, derived from the server secret like a link: the outbox row names the proof, and
 * the mail is rendered from it at send time, so no plain code waits in the outbox and only its hash is stored.
 */
export function emailCodeOf(key: LinkKey, proofId: string): string {
  const digest = createHmac('sha256', key.secret).update(`usher-email-code:${proofId}`).digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/**
 * What is stored of a code: keyed with the server secret too, since a six-digit code's plain SHA-256 would fall to
 * a million guesses by whoever reads the database.
 */
function codeHashOf(key: LinkKey, proofId: string, code: string): string {
  return createHmac('sha256', key.secret).update(`usher-email-code-hash:${proofId}:${code}`).digest('hex');
}

/**
 * Starts a proof of `email` on the invitation: one live code per (invitation, address), so asking again replaces
 * the previous code (and its spent attempts). Returns the proof's id, which the outbox row names, and its expiry.
 */
export async function startEmailProof(
  trx: Db,
  key: LinkKey,
  row: InvitationRow,
  email: string,
  now: Date,
): Promise<{ readonly id: string; readonly expiresAt: string }> {
  await trx
    .deleteFrom('email_proofs')
    .where('tenant_id', '=', row.tenant_id)
    .where('invitation_id', '=', row.id)
    .where('email', '=', email)
    .execute();
  const id = newId(now.getTime());
  const expiresAt = isoTime(new Date(now.getTime() + EMAIL_CODE_TTL_MS));
  await trx
    .insertInto('email_proofs')
    .values({
      id,
      tenant_id: row.tenant_id,
      invitation_id: row.id,
      email,
      code_hash: codeHashOf(key, id, emailCodeOf(key, id)),
      attempts: 0,
      expires_at: expiresAt,
      created_at: isoTime(now),
    })
    .execute();
  return { id, expiresAt };
}

/**
 * Checks `code` for `email` on the invitation, in the accepting transaction. Right: the proof is used up (deleted)
 * and null comes back. Missing, expired or dead: thrown, nothing written. Wrong: the attempt is counted and the
 * refusal is returned rather than thrown, so the caller can commit the count before refusing.
 */
export async function useEmailCode(
  trx: Db,
  key: LinkKey,
  row: InvitationRow,
  email: string,
  code: string,
  now: Date,
): Promise<AppError | null> {
  const proof = await trx
    .selectFrom('email_proofs')
    .selectAll()
    .where('tenant_id', '=', row.tenant_id)
    .where('invitation_id', '=', row.id)
    .where('email', '=', email)
    .executeTakeFirst();
  const live = proof && proof.attempts < EMAIL_CODE_ATTEMPTS && now.getTime() < Date.parse(proof.expires_at);
  if (!proof || !live) throw invitationError('email_code_invalid', 'no live code for this address', 'body.emailCode');
  if (safeEqual(codeHashOf(key, proof.id, code), proof.code_hash)) {
    await trx.deleteFrom('email_proofs').where('id', '=', proof.id).execute();
    return null;
  }
  const attempts = proof.attempts + 1;
  await trx.updateTable('email_proofs').set({ attempts }).where('id', '=', proof.id).execute();
  const left = EMAIL_CODE_ATTEMPTS - attempts;
  return invitationError('email_code_invalid', `wrong code; ${left} attempts left`, 'body.emailCode', {
    attemptsLeft: left,
  });
}

/** A code to mail: its address and value, with its invitation. */
export interface EmailCodeMail {
  readonly email: string;
  readonly code: string;
  readonly expiresAt: string;
  readonly invitationId: string;
}

/** What the mail of proof `proofId` says, or null once the proof is used, replaced, expired or dead. */
export async function findEmailCodeMail(
  db: Db,
  key: LinkKey,
  tenantId: string,
  proofId: string,
  now: Date,
): Promise<EmailCodeMail | null> {
  const proof = await db
    .selectFrom('email_proofs')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', proofId)
    .executeTakeFirst();
  if (!proof || proof.attempts >= EMAIL_CODE_ATTEMPTS || now.getTime() >= Date.parse(proof.expires_at)) return null;
  return {
    email: proof.email,
    code: emailCodeOf(key, proof.id),
    expiresAt: proof.expires_at,
    invitationId: proof.invitation_id,
  };
}
