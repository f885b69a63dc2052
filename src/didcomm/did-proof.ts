/**
 * Proof of a DID by a signed challenge: a compact JWS (RFC 7515, alg EdDSA, RFC 8037) whose signature verifies with
 * an Ed25519 authentication key of the DID's document. did:key and did:peer (0, 2, 4 long form) resolve locally, so
 * checking a proof needs no network.
 */
import { createPublicKey, verify } from 'node:crypto';
import { findVerificationMethod, verificationMethodKey } from './did-document';
import { resolveDid } from './dids';
import { decodeBase64Url, encodeBase64Url, fromUtf8 } from './encoding';

/**
 * The JWS payload when `jws` is signed by an authentication key of `did`, else null (unresolvable DID, another key,
 * a bad signature or not a JWS). The caller checks what the payload says.
 */
export function verifyDidProof(did: string, jws: string): Record<string, unknown> | null {
  const parts = jws.split('.');
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts as [string, string, string];
  try {
    const protectedHeader = JSON.parse(fromUtf8(decodeBase64Url(header))) as { alg?: unknown };
    if (protectedHeader.alg !== 'EdDSA') return null;
    const document = resolveDid(did);
    const signed = Buffer.from(`${header}.${payload}`);
    const proved = document.authentication.some((reference) => {
      const method = typeof reference === 'string' ? findVerificationMethod(document, reference) : reference;
      const key = method ? verificationMethodKey(method) : null;
      if (key?.type !== 'Ed25519') return false;
      const publicKey = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: encodeBase64Url(key.publicKey) },
        format: 'jwk',
      });
      return verify(null, signed, publicKey, decodeBase64Url(signature));
    });
    if (!proved) return null;
    const claims: unknown = JSON.parse(fromUtf8(decodeBase64Url(payload)));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
