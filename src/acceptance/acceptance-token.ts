import type { Db } from '#db';
import type { ActiveSigningKey } from './signing-keys';
import { signTenantJwt } from './tenant-jwt';
import type { Membership } from '#memberships';

/**
 * How long an acceptance token lives by default: long enough to follow a redirect, short enough to be useless later.
 */
export const DEFAULT_ACCEPTANCE_TOKEN_TTL_SECONDS = 300;

/** What one acceptance granted, as the token reports it. */
export interface AcceptanceTokenInput {
  readonly tenantId: string;
  /** The public URL of this Usher; becomes `iss`. */
  readonly issuer: string;
  readonly invitationId: string;
  readonly redemptionId: string;
  /** The token's `jti`; the redemption id unless given (a seat given back is the same redemption, a new token). */
  readonly tokenId?: string;
  readonly target: { readonly type: string; readonly iri: string | null; readonly name: string | null };
  readonly role: string | null;
  readonly rules: readonly string[];
  /** The member the acceptance admitted, as memberships describe it. */
  readonly recipient: Omit<Membership['member'], 'contactId'>;
  readonly membershipId: string | null;
  /** The host application's user who sent the invitation (or the identity standing in); null on old invitations. */
  readonly invitedBy: { readonly id: string | null; readonly name: string; readonly email: string | null } | null;
  /** Lifetime in seconds; 300 unless given. */
  readonly ttlSeconds?: number;
}

/** The claims of an acceptance token; see `issueAcceptanceToken` for their meaning. */
export interface AcceptanceClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly jti: string;
  readonly invitation: string;
  readonly tenant: string;
  readonly target: AcceptanceTokenInput['target'];
  readonly role: string | null;
  readonly rules: readonly string[];
  readonly recipient: AcceptanceTokenInput['recipient'];
  readonly redemption: string;
  readonly membership: string | null;
  readonly invited_by: { readonly id: string | null; readonly name: string; readonly email: string | null } | null;
}

/** A signed token, when it stops being valid (ISO-8601) and the key that signed it. */
export interface IssuedAcceptanceToken {
  readonly token: string;
  readonly expiresAt: string;
  readonly kid: string;
}

/**
 * Signs a short-lived JWT (RFC 7519) that tells the host application an invitation was
 * accepted, so it can create the account or membership without calling Usher back. Compact
 * JWS, header `{ alg: 'EdDSA', typ: 'JWT', kid }`, signed with the tenant's active Ed25519 key,
 * verifiable against `GET /.well-known/jwks.json`.
 *
 * Claims (times are NumericDate seconds, RFC 7519 §2):
 * - `iss` — Usher's public URL; `aud` — the tenant id (a host app accepts only its tenant's tokens)
 * - `sub` — the recipient's stable member key (`email:…`, `did:…`, `actor:…`, `contact:…`, `subject:…`)
 * - `iat`, `nbf` — when issued; `exp` — `iat` + ttl (300 s by default)
 * - `jti` — the redemption id, or a fresh id when a multi-use link gives a person their seat back: unique per
 *   token, so a host can refuse a replay
 * - `invitation` — invitation id; `tenant` — tenant id; `redemption` — redemption id
 * - `target` — `{ type, iri, name }` the recipient was invited into
 * - `role` — the granted role or null; `rules` — extra rules, possibly empty
 * - `recipient` — `{ key, email, did, actorIri, subject, name }`, unknown fields null
 * - `membership` — the membership id the acceptance produced, or null
 * - `invited_by` — `{ id, name, email }` of the host application's user who sent the invitation (id and
 *   email null when not given; without a named sender, the identity's display name); null on invitations
 *   made before senders were recorded
 */
export async function issueAcceptanceToken(
  db: Db,
  input: AcceptanceTokenInput,
  now: Date,
  signingKey?: Promise<ActiveSigningKey>,
): Promise<IssuedAcceptanceToken> {
  const ttl = input.ttlSeconds ?? DEFAULT_ACCEPTANCE_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0) throw new RangeError(`ttlSeconds must be a positive integer, got ${ttl}`);
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AcceptanceClaims = {
    iss: input.issuer,
    aud: input.tenantId,
    sub: input.recipient.key,
    iat,
    nbf: iat,
    exp: iat + ttl,
    jti: input.tokenId ?? input.redemptionId,
    invitation: input.invitationId,
    tenant: input.tenantId,
    // Copied field by field so nothing extra a caller's object carries ends up signed.
    target: { type: input.target.type, iri: input.target.iri, name: input.target.name },
    role: input.role,
    rules: [...input.rules],
    recipient: {
      key: input.recipient.key,
      email: input.recipient.email,
      did: input.recipient.did,
      actorIri: input.recipient.actorIri,
      subject: input.recipient.subject,
      name: input.recipient.name,
    },
    redemption: input.redemptionId,
    membership: input.membershipId,
    invited_by: input.invitedBy
      ? { id: input.invitedBy.id, name: input.invitedBy.name, email: input.invitedBy.email }
      : null,
  };
  const { token, kid } = await signTenantJwt(db, input.tenantId, claims, now, signingKey);
  return { token, expiresAt: new Date(claims.exp * 1000).toISOString(), kid };
}
