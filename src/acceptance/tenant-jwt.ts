import type { Db } from '#db';
import { signCompactJws } from './jws';
import { getActiveSigningKey, type ActiveSigningKey } from './signing-keys';

/**
 * Signs `claims` as a JWT (compact JWS, header `{ alg: 'EdDSA', typ: 'JWT', kid }`) with the tenant's active
 * Ed25519 key, made on first use, so anyone can verify it against `GET /.well-known/jwks.json`. `db` may be
 * the caller's transaction.
 */
export async function signTenantJwt(
  db: Db,
  tenantId: string,
  claims: object,
  now: Date,
  // The caller may have started the key's read already (startAhead); else it is read here.
  signingKey?: Promise<ActiveSigningKey>,
): Promise<{ token: string; kid: string }> {
  const key = await (signingKey ?? getActiveSigningKey(db, tenantId, now));
  return { token: signCompactJws({ alg: 'EdDSA', typ: 'JWT', kid: key.kid }, claims, key.privateKey), kid: key.kid };
}
