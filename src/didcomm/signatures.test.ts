import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import sodium from 'libsodium-wrappers';
import { encodeBase58, encodeBase64Url, utf8 } from './encoding';
import { attach, openSignedAttachment, openSignedField, signField } from './signatures';

const keyPair = () => {
  const secretKey = ed25519.utils.randomSecretKey();
  return { publicKey: ed25519.getPublicKey(secretKey), secretKey };
};

describe('signed attachments (RFC 0017, as RFC 0023 uses them)', () => {
  it('signs a DID so that the key that signed it, and only that key, opens it', () => {
    const key = keyPair();
    const signed = attach('did:peer:2.Vz6Mk', 'text/string', key);
    expect(openSignedAttachment(signed, encodeBase58(key.publicKey), 'did_rotate~attach')).toBe('did:peer:2.Vz6Mk');
    expect(() => openSignedAttachment(signed, encodeBase58(keyPair().publicKey), 'did_rotate~attach')).toThrowError(
      expect.objectContaining({ code: 'signature_invalid' }),
    );
  });

  it('refuses an attachment whose data was swapped after signing', () => {
    const key = keyPair();
    const signed = attach({ id: 'did:example:1' }, 'application/json', key);
    const swapped = { ...signed, data: { ...signed.data, base64: encodeBase64Url(utf8('{"id":"did:example:2"}')) } };
    expect(() => openSignedAttachment(swapped, encodeBase58(key.publicKey), 'did_doc~attach')).toThrowError(
      expect.objectContaining({ code: 'signature_invalid' }),
    );
    expect(() =>
      openSignedAttachment({ data: { base64: signed.data.base64 } }, encodeBase58(key.publicKey), 'did_doc~attach'),
    ).toThrowError(expect.objectContaining({ code: 'signature_invalid' }));
  });

  it('verifies a JWS made by libsodium over standard-base64 data, as Credo attaches it', async () => {
    await sodium.ready;
    const pair = sodium.crypto_sign_keypair();
    const payload = Buffer.from(JSON.stringify({ id: 'did:peer:4zQm' }));
    const header = Buffer.from(
      JSON.stringify({
        alg: 'EdDSA',
        jwk: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(pair.publicKey).toString('base64url') },
      }),
    ).toString('base64url');
    const signature = sodium.crypto_sign_detached(`${header}.${payload.toString('base64url')}`, pair.privateKey);
    const attachment = {
      '@id': 'a',
      data: {
        base64: payload.toString('base64'),
        jws: { header: {}, protected: header, signature: Buffer.from(signature).toString('base64url') },
      },
    };
    expect(openSignedAttachment(attachment, encodeBase58(pair.publicKey), 'did_doc~attach')).toBe(
      JSON.stringify({ id: 'did:peer:4zQm' }),
    );
  });
});

describe('connection~sig (RFC 0234 ed25519Sha512_single)', () => {
  it('signs timestamp and connection, and libsodium verifies it', async () => {
    await sodium.ready;
    const key = keyPair();
    const connection = { DID: 'did', DIDDoc: { id: 'did' } };
    const sig = signField(connection, key, new Date('2026-11-25T10:00:00Z'));
    const data = Buffer.from(sig.sig_data!, 'base64url');
    expect(data.readBigUInt64BE(0)).toBe(BigInt(Date.parse('2026-11-25T10:00:00Z') / 1000));
    expect(sodium.crypto_sign_verify_detached(Buffer.from(sig.signature!, 'base64url'), data, key.publicKey)).toBe(
      true,
    );
    expect(openSignedField(sig, encodeBase58(key.publicKey), 'connection~sig')).toEqual(connection);
  });

  it('refuses a signature by another key, or over other data', () => {
    const key = keyPair();
    const sig = signField({ DID: 'a' }, key, new Date());
    expect(() =>
      openSignedField(
        { ...sig, signer: encodeBase58(keyPair().publicKey) },
        encodeBase58(key.publicKey),
        'connection~sig',
      ),
    ).toThrowError(expect.objectContaining({ code: 'signature_invalid' }));
    const other = signField({ DID: 'b' }, key, new Date());
    expect(() =>
      openSignedField({ ...sig, sig_data: other.sig_data }, encodeBase58(key.publicKey), 'connection~sig'),
    ).toThrowError(expect.objectContaining({ code: 'signature_invalid' }));
  });
});
