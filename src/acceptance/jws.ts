import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

// Node's own base64url, unpadded as JWS wants: a third of @scure/base's time for a token's parts (1.6
// against 4.9-6.8 µs a 400-byte payload), and a token is signed on every accept.
function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A compact JWS (RFC 7515 §7.1) signed with Ed25519 (RFC 8037 §3.1): the signature covers the
 * ASCII of `base64url(header) "." base64url(payload)`, every part unpadded base64url.
 */
export function signCompactJws(header: object, payload: object, privateKey: Uint8Array): string {
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  // OpenSSL's Ed25519, not @noble's (a tenth of the time) nor jose's WebCrypto (4-8x the CPU, bench/micro/jws.ts):
  // the same signature either way, as Ed25519 is deterministic.
  const signature = sign(null, Buffer.from(signingInput), ed25519PrivateKey(privateKey));
  return `${signingInput}.${signature.toString('base64url')}`;
}

// RFC 8410 PKCS#8 wrapping of a raw 32-byte Ed25519 seed, which is how node:crypto takes one.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** Keys a process signs with; a tenant has one active key, so this stays small. */
const KEY_OBJECTS_KEPT = 1000;
const keyObjects = new Map<string, KeyObject>();

/**
 * The seed as a node:crypto key, made once per key: parsing the DER cost as much as signing
 * (bench). Cached by the seed itself, which is what the object is derived from.
 */
function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  const id = Buffer.from(seed.buffer, seed.byteOffset, seed.byteLength).toString('base64');
  let key = keyObjects.get(id);
  if (key) return key;
  key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  if (keyObjects.size >= KEY_OBJECTS_KEPT) keyObjects.delete(keyObjects.keys().next().value!);
  keyObjects.set(id, key);
  return key;
}
