import { createPrivateKey, sign } from 'node:crypto';
import { base64urlnopad } from '@scure/base';

const encoder = new TextEncoder();

function encodeJson(value: unknown): string {
  return base64urlnopad.encode(encoder.encode(JSON.stringify(value)));
}

/**
 * A compact JWS (RFC 7515 §7.1) signed with Ed25519 (RFC 8037 §3.1): the signature covers the
 * ASCII of `base64url(header) "." base64url(payload)`, every part unpadded base64url.
 */
export function signCompactJws(header: object, payload: object, privateKey: Uint8Array): string {
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  // OpenSSL's Ed25519, not @noble's: the same signature (Ed25519 is deterministic) in a tenth of the time (bench: 1 ms per accept).
  const signature = sign(null, encoder.encode(signingInput), ed25519PrivateKey(privateKey));
  return `${signingInput}.${base64urlnopad.encode(signature)}`;
}

// RFC 8410 PKCS#8 wrapping of a raw 32-byte Ed25519 seed, which is how node:crypto takes one.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function ed25519PrivateKey(seed: Uint8Array) {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}
