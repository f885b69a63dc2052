import { createHmac } from 'node:crypto';
import { preparedQuery, type Db } from '#db';
import { storeToken, type MintedFor } from './tokens';

/** The server secret links are derived from, with its fingerprint (what a token row records). */
export interface LinkKey {
  readonly secret: string;
  /** First 16 hex of HMAC(secret, "usher-link-secret-id"): names the secret without revealing it. */
  readonly id: string;
}

/** Why the operator cannot be shown an invitation's link; a reset gives it a new one that can be. */
export type LinkUnavailable =
  /** The live link was derived with another secret (rotated, or another process with its own). */
  | 'secret_changed'
  /** The live link is a random token minted before links were derived (migration 0017). */
  | 'minted_before_recovery'
  /** The invitation is no longer open; its link only shows its state page. */
  | 'not_pending';

/** The invitation's current link, or why it cannot be recomputed. */
export type CurrentLink =
  { readonly token: string; readonly generation: number } | { readonly unavailable: LinkUnavailable };

/** Builds the key once per process from USHER_LINK_SECRET or the secret file. */
export function linkKeyOf(secret: string): LinkKey {
  return { secret, id: createHmac('sha256', secret).update('usher-link-secret-id').digest('hex').slice(0, 16) };
}

/**
 * The token of one generation of an invitation's link: 43 base64url characters like a random token,
 * so lookups stay one hash lookup. Only the secret turns a stored row back into a link.
 */
export function deriveToken(key: LinkKey, invitationId: string, generation: number): string {
  return createHmac('sha256', key.secret).update(`usher-link:${invitationId}:${generation}`).digest('base64url');
}

const liveRows = preparedQuery((db, p: { tenantId: string; invitationId: string }) =>
  db
    .selectFrom('invitation_tokens')
    .select(['generation', 'secret_id'])
    .where('invitation_id', '=', p.invitationId)
    .where('tenant_id', '=', p.tenantId)
    .where('revoked_at', 'is', null),
);

const lastGeneration = preparedQuery((db, p: { tenantId: string; invitationId: string }) =>
  db
    .selectFrom('invitation_tokens')
    .select((eb) => eb.fn.max('generation').as('generation'))
    .where('invitation_id', '=', p.invitationId)
    .where('tenant_id', '=', p.tenantId),
);

type InvitationRef = { readonly id: string; readonly tenant_id: string };

/**
 * The live derived link of an invitation, recomputed with `key`. An invitation has one at a time;
 * random tokens from before migration 0017 may still be live beside it, and open what they always opened.
 */
export async function findCurrentLink(db: Db, key: LinkKey, invitation: InvitationRef): Promise<CurrentLink> {
  const rows = await liveRows.execute(db, { tenantId: invitation.tenant_id, invitationId: invitation.id });
  const derived = rows.filter((row) => row.generation !== null).sort((a, b) => b.generation! - a.generation!)[0];
  if (!derived) return { unavailable: 'minted_before_recovery' };
  if (derived.secret_id !== key.id) return { unavailable: 'secret_changed' };
  return { token: deriveToken(key, invitation.id, derived.generation!), generation: derived.generation! };
}

/** Stores the next generation of the invitation's link (1 for a new one) and returns its token. */
export async function mintNextLink(
  trx: Db,
  key: LinkKey,
  invitation: InvitationRef,
  mintedFor: MintedFor,
  now: Date,
): Promise<string> {
  const last = await lastGeneration.executeTakeFirst(trx, {
    tenantId: invitation.tenant_id,
    invitationId: invitation.id,
  });
  return storeLink(trx, key, invitation, Number(last?.generation ?? 0) + 1, mintedFor, now, 'now');
}

/**
 * The first link of an invitation inserted in this same transaction: generation 1, without asking for the last
 * one (a statement fewer on every create). No other link of a new invitation exists, so nothing can refuse it: the
 * insert goes with the transaction's next statement.
 */
export function mintFirstLink(
  trx: Db,
  key: LinkKey,
  invitation: InvitationRef,
  mintedFor: MintedFor,
  now: Date,
): Promise<string> {
  return storeLink(trx, key, invitation, 1, mintedFor, now, 'later');
}

async function storeLink(
  trx: Db,
  key: LinkKey,
  invitation: InvitationRef,
  generation: number,
  mintedFor: MintedFor,
  now: Date,
  when: 'now' | 'later',
): Promise<string> {
  const token = deriveToken(key, invitation.id, generation);
  await storeToken(trx, invitation, token, { mintedFor, generation, secretId: key.id }, now, when);
  return token;
}

/**
 * The link a message carries: the live one, or, for an invitation that has none yet (created before
 * migration 0017, or a didcomm invitation emailed), its first. Null when the live link was derived with
 * another secret: a message must not carry a link that differs from the one the operator handed out.
 */
export async function linkForMessage(
  trx: Db,
  key: LinkKey,
  invitation: InvitationRef,
  mintedFor: MintedFor,
  now: Date,
): Promise<string | null> {
  const current = await findCurrentLink(trx, key, invitation);
  if ('token' in current) return current.token;
  if (current.unavailable === 'secret_changed') return null;
  return mintNextLink(trx, key, invitation, mintedFor, now);
}
