import { insertRows, preparedQuery, type Db } from '#db';
import { isoTime } from '#common/json';
import { hashSecret, newSecret } from '#common/secrets';

/** What a link was handed to; kept so an operator can tell which message a click came from. */
export type MintedFor = 'api' | 'email' | 'reminder' | 'trusttrace';

/** The longest token looked up: TrustTrace's bearer JWT runs to about 360 characters. */
export const TOKEN_MAX_LENGTH = 1024;

/**
 * Tokens are 43 base64url characters (256 bits), or a JWT's three base64url parts (TrustTrace's bearer) up to
 * TOKEN_MAX_LENGTH; anything else cannot match and is not looked up.
 */
export function isWellFormedToken(token: string): boolean {
  if (token.length > TOKEN_MAX_LENGTH) return false;
  return /^[\w-]{43}$/.test(token) || /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/** The link an invitee opens: the accept page under the public URL. */
export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/i/${token}`;
}

/**
 * Mints a random token for an invitation, storing only its hash: for surfaces that hand out a bearer of
 * their own (TrustTrace). Link and email invitations use the one derived link instead (links.ts).
 */
export async function mintInvitationToken(
  trx: Db,
  invitation: { readonly id: string; readonly tenant_id: string },
  mintedFor: MintedFor,
  now: Date,
  // A bearer a surface made itself (TrustTrace's signed JWT) is stored the same way; a random link by default.
  token: string = newSecret(),
): Promise<string> {
  await storeToken(trx, invitation, token, { mintedFor, generation: null, secretId: null }, now, 'now');
  return token;
}

/**
 * Stores a token's hash for an invitation: a random bearer's (no generation, no link secret) or a derived link's.
 * `later` only where nothing can refuse the row (see insertRowsLater).
 */
export async function storeToken(
  trx: Db,
  invitation: { readonly id: string; readonly tenant_id: string },
  token: string,
  origin: { readonly mintedFor: MintedFor; readonly generation: number | null; readonly secretId: string | null },
  now: Date,
  when: 'now' | 'later',
): Promise<void> {
  const row = {
    token_hash: hashSecret(token),
    invitation_id: invitation.id,
    tenant_id: invitation.tenant_id,
    minted_for: origin.mintedFor,
    created_at: isoTime(now),
    revoked_at: null,
    generation: origin.generation,
    secret_id: origin.secretId,
  };
  await insertRows(trx, 'invitation_tokens', [row], when);
}

/** The stored hash a presented token would have; null when it cannot be a token, so nothing is looked up. */
export function tokenHashOf(token: string): string | null {
  return isWellFormedToken(token) ? hashSecret(token) : null;
}

const liveToken = preparedQuery((db, p: { hash: string }) =>
  db
    .selectFrom('invitation_tokens')
    .select(['tenant_id', 'invitation_id'])
    .where('token_hash', '=', p.hash)
    .where('revoked_at', 'is', null),
);

/** The invitation a live (unrevoked) token opens, or null. */
export async function findByToken(db: Db, token: string): Promise<{ tenantId: string; invitationId: string } | null> {
  const hash = tokenHashOf(token);
  if (!hash) return null;
  const row = await liveToken.executeTakeFirst(db, { hash });
  return row ? { tenantId: row.tenant_id, invitationId: row.invitation_id } : null;
}

/** Kills every link of an invitation (resend and reset-link do this before deriving the next). */
export async function revokeInvitationTokens(trx: Db, invitationId: string, now: Date): Promise<void> {
  await trx
    .updateTable('invitation_tokens')
    .set({ revoked_at: isoTime(now) })
    .where('invitation_id', '=', invitationId)
    .where('revoked_at', 'is', null)
    .execute();
}
