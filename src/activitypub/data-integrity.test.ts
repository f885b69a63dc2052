import { base58 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { createProof, verifyProof } from './data-integrity';
import {
  FEP_8B32_SIGNED_ACTIVITY,
  W3C_EDDSA_JCS_2022_SIGNED,
  W3C_KEY_PAIR,
} from '../../test/fixtures/vectors/activitypub';

// The Multibase keys carry a two-byte multicodec prefix (ed25519-priv 0x1300, ed25519-pub 0xed) before the 32 key
// bytes.
const raw = (multibase: string) => Buffer.from(base58.decode(multibase.slice(1)).slice(2)).toString('base64url');
const jwk = { kty: 'OKP', crv: 'Ed25519', x: raw(W3C_KEY_PAIR.publicKeyMultibase) };
const privateKey = await crypto.subtle.importKey(
  'jwk',
  { ...jwk, d: raw(W3C_KEY_PAIR.privateKeyMultibase) },
  'Ed25519',
  false,
  ['sign'],
);
const publicKey = await crypto.subtle.importKey('jwk', jwk, 'Ed25519', false, ['verify']);
const stranger = (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
const now = new Date('2026-01-01T00:00:00Z');

function unsecured<T extends { proof: unknown }>(secured: T): Omit<T, 'proof'> {
  const { proof: _proof, ...rest } = secured;
  return rest;
}

describe('eddsa-jcs-2022 proofs', () => {
  it("reproduces the W3C test vector's proof byte for byte from its document and key", async () => {
    const { proof } = W3C_EDDSA_JCS_2022_SIGNED;
    const signed = await createProof(unsecured(W3C_EDDSA_JCS_2022_SIGNED), privateKey, {
      verificationMethod: proof.verificationMethod,
      created: new Date(proof.created),
    });
    expect(signed).toEqual(W3C_EDDSA_JCS_2022_SIGNED);
  });

  it("reproduces FEP-8b32's signed activity, nested object and decimals included", async () => {
    const { proof } = FEP_8B32_SIGNED_ACTIVITY;
    const signed = await createProof(unsecured(FEP_8B32_SIGNED_ACTIVITY), privateKey, {
      verificationMethod: proof.verificationMethod,
      created: new Date(proof.created),
    });
    expect(signed.proof.proofValue).toBe(proof.proofValue);
  });

  it('verifies both published proofs with the published public key, and with no other', async () => {
    for (const vector of [W3C_EDDSA_JCS_2022_SIGNED, FEP_8B32_SIGNED_ACTIVITY]) {
      expect(await verifyProof(vector, vector.proof, publicKey, now)).toBe(true);
      expect(await verifyProof(vector, vector.proof, stranger.publicKey, now)).toBe(false);
    }
  });

  it("refuses a proof once anything it covers changes: a field, the proof's date, its purpose, its value", async () => {
    const vector = FEP_8B32_SIGNED_ACTIVITY;
    const { proof } = vector;
    expect(
      await verifyProof({ ...vector, object: { ...vector.object, content: 'Hello world!' } }, proof, publicKey, now),
    ).toBe(false);
    expect(
      await verifyProof({ ...vector, to: ['https://www.w3.org/ns/activitystreams#Public'] }, proof, publicKey, now),
    ).toBe(false);
    expect(await verifyProof(vector, { ...proof, created: '2023-02-24T23:36:39Z' }, publicKey, now)).toBe(false);
    expect(await verifyProof(vector, { ...proof, proofPurpose: 'authentication' }, publicKey, now)).toBe(false);
    expect(
      await verifyProof(vector, { ...proof, proofValue: `${proof.proofValue.slice(0, -1)}8` }, publicKey, now),
    ).toBe(false);
    expect(await verifyProof(vector, { ...proof, proofValue: 'z0OIl' }, publicKey, now)).toBe(false);
    expect(await verifyProof(vector, { ...proof, cryptosuite: 'eddsa-rdfc-2022' }, publicKey, now)).toBe(false);
  });

  it('ignores the order properties arrive in and a Linked Data Signature beside the proof (FEP-8b32)', async () => {
    const vector = FEP_8B32_SIGNED_ACTIVITY;
    const reordered = Object.fromEntries(Object.entries(vector).reverse());
    expect(
      await verifyProof(
        { ...reordered, signature: { type: 'RsaSignature2017', signatureValue: 'x' } },
        vector.proof,
        publicKey,
        now,
      ),
    ).toBe(true);
  });

  it("refuses a proof past its expiry, and one whose context is not where the document's begins", async () => {
    const document = {
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/data-integrity/v1'],
      type: 'Invite',
      id: 'https://usher.example/ap/invites/1',
    };
    const signed = await createProof(document, stranger.privateKey, {
      verificationMethod: 'https://usher.example/ap/users/a#key-2',
      created: now,
    });
    expect(signed.proof.created).toBe('2026-01-01T00:00:00Z');
    expect(await verifyProof(signed, signed.proof, stranger.publicKey, now)).toBe(true);
    expect(
      await verifyProof(
        { ...signed, '@context': 'https://www.w3.org/ns/activitystreams' },
        signed.proof,
        stranger.publicKey,
        now,
      ),
    ).toBe(false);
    const expiring = { ...signed.proof, expires: '2025-12-31T23:59:59Z' };
    expect(await verifyProof(signed, expiring, stranger.publicKey, now)).toBe(false);
  });
});
