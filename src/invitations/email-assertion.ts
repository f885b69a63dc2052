import { createPublicKey, verify } from 'node:crypto';
import type { TenantSettings } from '#tenants';
import { invitationError } from './errors';

/** The longest an assertion may be valid for: it proves an address, so it should be minted for the accept at hand. */
const MAX_LIFETIME_S = 3600;

const refuse = (detail: string) => invitationError('email_assertion_invalid', detail, 'body.emailAssertion');

function decodePart(part: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Checks the host application's assertion that `email` is the person accepting invitation `invitationId`: a compact
 * EdDSA JWT (RFC 7515, RFC 8037) signed by one of the tenant's `emailAssertionKeys`, with `email` (compared
 * lowercased), `aud` (the invitation id, so it opens no other link) and `exp` (in the future, at most an hour away).
 * Public keys, not a shared secret: the tenant's settings can be read (audit, console) without letting anyone mint
 * assertions. Throws email_assertion_invalid (field body.emailAssertion) on any failure.
 */
export function verifyEmailAssertion(
  assertion: string,
  expected: { readonly email: string; readonly invitationId: string; readonly now: Date },
  keys: TenantSettings['emailAssertionKeys'],
): void {
  if (keys.length === 0) throw refuse('this tenant has no emailAssertionKeys');
  const parts = assertion.split('.');
  const [header, claims] = [decodePart(parts[0]), decodePart(parts[1])];
  if (parts.length !== 3 || !header || !claims) throw refuse('not a compact JWS');
  if (header.alg !== 'EdDSA') throw refuse('alg must be EdDSA');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii');
  const signature = Buffer.from(parts[2]!, 'base64url');
  const candidates = keys.filter((key) => header.kid === undefined || key.kid === undefined || key.kid === header.kid);
  const verified = candidates.some((key) =>
    verify(null, signed, createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x }, format: 'jwk' }), signature),
  );
  if (!verified) throw refuse('the signature matches none of the tenant’s keys');
  const nowS = Math.floor(expected.now.getTime() / 1000);
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audience.includes(expected.invitationId)) throw refuse('aud is not this invitation’s id');
  if (typeof claims.exp !== 'number' || claims.exp <= nowS) throw refuse('expired, or no exp');
  if (claims.exp > nowS + MAX_LIFETIME_S) throw refuse(`exp is more than ${MAX_LIFETIME_S} s ahead`);
  if (typeof claims.email !== 'string' || claims.email.trim().toLowerCase() !== expected.email) {
    throw refuse('the email claim is not the address given');
  }
}
