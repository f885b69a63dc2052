/**
 * TrustTrace's bearer token (seed 000, "Invite a Contact": the action's `config.authorization`): a JWT whose
 * payload callers may decode, `{ data: { uuid, principalUuid }, iat, exp }`, as the document shows it.
 * TrustTrace signs with HS256; a shared secret would be ours alone to check, so Usher signs with the tenant's
 * Ed25519 key instead (EdDSA), which anyone can verify against `/.well-known/jwks.json`. The signature is
 * for those who decode it: Usher itself finds the invitation by the token's hash, like any link's.
 */
import { signTenantJwt } from '#acceptance';
import type { Db } from '#db';
import { mintInvitationToken, type Invitation } from '#invitations';

/** The bearer's payload, field for field the document's. */
export interface BearerClaims {
  /** `uuid`: the invitation (the action's uuid); `principalUuid`: the inviting tenant (the action's principalUuid). */
  readonly data: { readonly uuid: string; readonly principalUuid: string };
  /** Issued, and the invitation's expiry then (NumericDate seconds; a later resend's new expiry is not in it). */
  readonly iat: number;
  readonly exp: number;
}

const seconds = (time: Date) => Math.floor(time.getTime() / 1000);

/**
 * Signs the bearer for a tenant's invitation and stores its hash as one of the invitation's tokens
 * (`minted_for` 'trusttrace'), in `trx`, the transaction that made the invitation; returns the JWT.
 */
export async function issueBearerToken(
  trx: Db,
  tenantId: string,
  invitation: Pick<Invitation, 'id' | 'expiresAt'>,
  now: Date,
): Promise<string> {
  const claims: BearerClaims = {
    data: { uuid: invitation.id, principalUuid: tenantId },
    iat: seconds(now),
    exp: seconds(new Date(invitation.expiresAt)),
  };
  const { token } = await signTenantJwt(trx, tenantId, claims, now);
  return mintInvitationToken(trx, { id: invitation.id, tenant_id: tenantId }, 'trusttrace', now, token);
}
