import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { base64urlnopad } from '@scure/base';

/**
 * Usher's own compact JWS signer as it stood before jose replaced it (src/acceptance/jws.ts until
 * 2026-12-06), kept here so bench/micro/jws.ts can repeat the comparison that decided it.
 */
export function signHandWrittenJws(header: object, payload: object, seed: Uint8Array): string {
  const encode = (value: unknown) => base64urlnopad.encode(encoder.encode(JSON.stringify(value)));
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${base64urlnopad.encode(sign(null, encoder.encode(signingInput), keyOf(seed)))}`;
}

const encoder = new TextEncoder();
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const keys = new Map<string, KeyObject>();

function keyOf(seed: Uint8Array): KeyObject {
  const id = Buffer.from(seed).toString('base64');
  let key = keys.get(id);
  if (!key) {
    key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    keys.set(id, key);
  }
  return key;
}
