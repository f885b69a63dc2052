import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { compactVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signCompactJws } from './jws';

// RFC 8410 PKCS#8 wrapping of a raw Ed25519 seed, as jws.ts builds it; jose gets the same key independently.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

describe('the compact JWS of acceptance tokens', () => {
  // Ed25519 is deterministic, so two correct signers give the same bytes.
  it('is byte for byte the token jose signs from the same header, claims and key', async () => {
    const seed = new Uint8Array(randomBytes(32));
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const header = { alg: 'EdDSA', typ: 'JWT', kid: 'k1' };
    const claims = {
      iss: 'https://usher.example',
      aud: 't1',
      sub: 'email:ä@example.com',
      exp: 2e9,
      rules: ['é', '😀'],
    };
    const ours = signCompactJws(header, claims, seed);
    expect(ours).toBe(await new SignJWT(claims).setProtectedHeader(header).sign(key));
    const { protectedHeader, payload } = await compactVerify(ours, createPublicKey(key));
    expect(protectedHeader).toEqual(header);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(claims);
  });
});
