import { ed25519 } from '@noble/curves/ed25519.js';
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
  const signature = ed25519.sign(encoder.encode(signingInput), privateKey);
  return `${signingInput}.${base64urlnopad.encode(signature)}`;
}
