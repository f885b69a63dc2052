/**
 * Proof of a DID for DID-bound invitations (`recipient.did`): naming the DID admits no one. The acceptor asks for a
 * challenge, signs its nonce with a key of the DID (a compact EdDSA JWS) and accepts with `{ didProof }`. A nonce is
 * stored only as its SHA-256, bound to one invitation, lives five minutes and is deleted by the accept that uses it.
 */
import type { Kysely } from 'kysely';
import type { Database, Db, InvitationRow } from '#db';
import type { Clock } from '#common/clock';
import { isoTime } from '#common/json';
import { hashSecret, newSecret } from '#common/secrets';
import { invitationError } from './errors';
import { findInvitationByToken } from './queries';
import { tokenHashOf } from './tokens';

/** The JWS payload when `jws` is signed by an authentication key of `did`, else null (didcomm's verifyDidProof). */
export type DidProofVerifier = (did: string, jws: string) => Record<string, unknown> | null;

/** What the acceptor signs: `nonce` goes in the JWS payload as `{"nonce": …}`. */
export interface DidChallenge {
  readonly did: string;
  readonly nonce: string;
  readonly expiresAt: string;
}

const CHALLENGE_LIFETIME_MS = 5 * 60_000;

/** The invitee's challenge route, by the link's token. */
export function createDidChallenges(deps: { readonly db: Kysely<Database>; readonly clock: Clock }) {
  return {
    /** A fresh challenge for a DID-bound invitation; refuses one bound to no DID. Writes one row. */
    async didChallengeByToken(token: string): Promise<DidChallenge> {
      const hash = tokenHashOf(token);
      const row = hash ? await findInvitationByToken(deps.db, hash) : null;
      if (!row) throw invitationError('invitation_not_found', 'unknown invitation link', 'path.token');
      if (!row.recipient_did)
        throw invitationError('invitation_not_did_bound', 'this invitation names no DID to prove', 'path.token');
      const now = deps.clock.now();
      const nonce = newSecret();
      const expiresAt = isoTime(new Date(now.getTime() + CHALLENGE_LIFETIME_MS));
      await deps.db.transaction().execute(async (trx) => {
        await trx
          .deleteFrom('did_challenges')
          .where('tenant_id', '=', row.tenant_id)
          .where('invitation_id', '=', row.id)
          .where('expires_at', '<=', isoTime(now))
          .execute();
        await trx
          .insertInto('did_challenges')
          .values({
            nonce_hash: hashSecret(nonce),
            tenant_id: row.tenant_id,
            invitation_id: row.id,
            expires_at: expiresAt,
          })
          .execute();
      });
      return { did: row.recipient_did, nonce, expiresAt };
    },
  };
}

/**
 * Refuses an accept of a DID-bound invitation without a valid proof of its DID, and uses up the challenge it signed
 * (in the accept's transaction, so a refused accept leaves it usable). Invitations bound to no DID pass untouched.
 */
export async function requireDidProof(
  trx: Db,
  row: InvitationRow,
  didProof: string | undefined,
  verify: DidProofVerifier | undefined,
  now: Date,
): Promise<void> {
  const did = row.recipient_did;
  if (!did) return;
  if (!didProof)
    throw invitationError('did_proof_required', `sign a did-challenge with a key of ${did}`, 'body.didProof');
  const claims = verify ? verify(did, didProof) : null;
  const invalid = (why: string) => invitationError('did_proof_invalid', why, 'body.didProof');
  if (!claims || typeof claims.nonce !== 'string')
    throw invalid(`not a JWS with a nonce signed by an authentication key of ${did}`);
  const used = await trx
    .deleteFrom('did_challenges')
    .where('nonce_hash', '=', hashSecret(claims.nonce))
    .where('tenant_id', '=', row.tenant_id)
    .where('invitation_id', '=', row.id)
    .where('expires_at', '>', isoTime(now))
    .executeTakeFirst();
  if (Number(used.numDeletedRows) !== 1) throw invalid('the challenge is unknown, already used or expired');
}
