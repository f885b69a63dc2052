import { ed25519 } from '@noble/curves/ed25519.js';
import { base58 } from '@scure/base';
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { refusal } from '#support/refusal';
import { envelopeRecipients, packMessage, unpackMessage, type Ed25519KeyPair } from './index';
import { GO_ANONCRYPT, PYTHON_AUTHCRYPT, RFC0019_AUTHCRYPT_EXAMPLE } from '../../test/fixtures/vectors/didcomm';

const hello = { '@type': 'https://didcomm.org/trust_ping/1.0/ping', '@id': 'ping-1', response_requested: true };

function keyPair(): Ed25519KeyPair {
  const secretKey = ed25519.utils.randomSecretKey();
  return { publicKey: ed25519.getPublicKey(secretKey), secretKey };
}

function sodiumKeyPair(): Ed25519KeyPair {
  const { publicKey, privateKey } = sodium.crypto_sign_keypair();
  return { publicKey, secretKey: privateKey };
}

type Variant = 'URLSAFE' | 'URLSAFE_NO_PADDING';

/**
 * Packs like ACA-Py and Credo (RFC 0019 §pack), with libsodium as the independent implementation:
 * crypto_box_easy / crypto_box_seal for the CEK and sender, detached IETF (X)ChaCha20-Poly1305 for the content.
 */
function sodiumPack(
  message: string,
  recipients: Uint8Array[],
  sender: Ed25519KeyPair | null,
  options: { xchacha?: boolean; variant?: Variant } = {},
): string {
  const b64 = (bytes: Uint8Array) =>
    sodium.to_base64(bytes, sodium.base64_variants[options.variant ?? 'URLSAFE_NO_PADDING']);
  const cek = sodium.crypto_aead_chacha20poly1305_ietf_keygen();
  const entries = recipients.map((verkey) => {
    const target = sodium.crypto_sign_ed25519_pk_to_curve25519(verkey);
    if (!sender)
      return { encrypted_key: b64(sodium.crypto_box_seal(cek, target)), header: { kid: base58.encode(verkey) } };
    const iv = sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES);
    const senderSecret = sodium.crypto_sign_ed25519_sk_to_curve25519(sender.secretKey);
    return {
      encrypted_key: b64(sodium.crypto_box_easy(cek, iv, target, senderSecret)),
      header: {
        kid: base58.encode(verkey),
        sender: b64(sodium.crypto_box_seal(base58.encode(sender.publicKey), target)),
        iv: b64(iv),
      },
    };
  });
  const header = {
    enc: 'xchacha20poly1305_ietf',
    typ: 'JWM/1.0',
    alg: sender ? 'Authcrypt' : 'Anoncrypt',
    recipients: entries,
  };
  const protectedText = b64(sodium.from_string(JSON.stringify(header)));
  const nonce = sodium.randombytes_buf(options.xchacha ? 24 : 12);
  const encrypt = options.xchacha
    ? sodium.crypto_aead_xchacha20poly1305_ietf_encrypt_detached
    : sodium.crypto_aead_chacha20poly1305_ietf_encrypt_detached;
  const { ciphertext, mac } = encrypt(message, protectedText, null, nonce, cek);
  return JSON.stringify({ protected: protectedText, iv: b64(nonce), ciphertext: b64(ciphertext), tag: b64(mac) });
}

/** Unpacks per RFC 0019 §Unpack Algorithm with libsodium only. */
function sodiumUnpack(envelope: string, own: Ed25519KeyPair): { message: string; sender: string | null } {
  const fromB64 = (text: string) => sodium.from_base64(text, sodium.base64_variants.URLSAFE_NO_PADDING);
  const outer = JSON.parse(envelope);
  const header = JSON.parse(sodium.to_string(fromB64(outer.protected)));
  const recipient = header.recipients.find(
    (r: { header: { kid: string } }) => r.header.kid === base58.encode(own.publicKey),
  );
  const publicKey = sodium.crypto_sign_ed25519_pk_to_curve25519(own.publicKey);
  const secretKey = sodium.crypto_sign_ed25519_sk_to_curve25519(own.secretKey);
  let cek: Uint8Array;
  let sender: string | null = null;
  if (recipient.header.sender) {
    sender = sodium.to_string(sodium.crypto_box_seal_open(fromB64(recipient.header.sender), publicKey, secretKey));
    const senderPublic = sodium.crypto_sign_ed25519_pk_to_curve25519(base58.decode(sender));
    cek = sodium.crypto_box_open_easy(
      fromB64(recipient.encrypted_key),
      fromB64(recipient.header.iv),
      senderPublic,
      secretKey,
    );
  } else {
    cek = sodium.crypto_box_seal_open(fromB64(recipient.encrypted_key), publicKey, secretKey);
  }
  const plaintext = sodium.crypto_aead_chacha20poly1305_ietf_decrypt_detached(
    null,
    fromB64(outer.ciphertext),
    fromB64(outer.tag),
    outer.protected,
    fromB64(outer.iv),
    cek,
  );
  return { message: sodium.to_string(plaintext), sender };
}

/** Rewrites one field of an envelope's outer JSON or its decoded protected header. */
function tamper(
  envelope: string,
  change: (outer: Record<string, string>, header: Record<string, unknown>) => void,
): string {
  const outer = JSON.parse(envelope);
  const header = JSON.parse(Buffer.from(outer.protected, 'base64url').toString());
  const before = JSON.stringify(header);
  change(outer, header);
  if (JSON.stringify(header) !== before) outer.protected = Buffer.from(JSON.stringify(header)).toString('base64url');
  return JSON.stringify(outer);
}

function flipFirstByte(text: string): string {
  const bytes = Buffer.from(text, 'base64url');
  bytes[0]! ^= 0x01;
  return bytes.toString('base64url');
}

beforeAll(async () => {
  await sodium.ready;
});

describe('DIDComm v1 envelopes (RFC 0019)', () => {
  it('round-trips an authcrypt message and names its sender and recipient', () => {
    const [alice, bob] = [keyPair(), keyPair()];
    const opened = unpackMessage(packMessage(hello, [bob.publicKey], alice), [bob]);
    expect(JSON.parse(opened.message)).toEqual(hello);
    expect(opened).toMatchObject({
      senderVerkey: base58.encode(alice.publicKey),
      recipientVerkey: base58.encode(bob.publicKey),
    });
  });

  it('round-trips an anoncrypt message without naming a sender', () => {
    const bob = keyPair();
    expect(unpackMessage(packMessage('plain text ✓', [bob.publicKey]), [bob])).toEqual({
      message: 'plain text ✓',
      senderVerkey: null,
      recipientVerkey: base58.encode(bob.publicKey),
    });
  });

  it('packs once for several recipients, each of whom opens it with their own key among others', () => {
    const [alice, bob, carol, stranger] = [keyPair(), keyPair(), keyPair(), keyPair()];
    const envelope = packMessage(hello, [bob.publicKey, carol.publicKey], alice);
    expect(envelopeRecipients(envelope)).toEqual([bob.publicKey, carol.publicKey].map((k) => base58.encode(k)));
    expect(unpackMessage(envelope, [stranger, carol]).recipientVerkey).toBe(base58.encode(carol.publicKey));
    expect(unpackMessage(envelope, [bob]).senderVerkey).toBe(base58.encode(alice.publicKey));
  });

  it('writes what agents expect: the xchacha label, JWM/1.0, a 12-byte iv and unpadded base64url', () => {
    const envelope = JSON.parse(packMessage(hello, [keyPair().publicKey], keyPair()));
    expect(Object.keys(envelope)).toEqual(['protected', 'iv', 'ciphertext', 'tag']);
    expect(JSON.parse(Buffer.from(envelope.protected, 'base64url').toString())).toMatchObject({
      enc: 'xchacha20poly1305_ietf',
      typ: 'JWM/1.0',
      alg: 'Authcrypt',
    });
    expect(Buffer.from(envelope.iv, 'base64url')).toHaveLength(12);
    expect(Object.values(envelope).join('')).not.toMatch(/[=+/]/);
  });

  it('opens authcrypt and anoncrypt envelopes packed by libsodium the way ACA-Py and Credo pack them', () => {
    const [alice, bob] = [sodiumKeyPair(), sodiumKeyPair()];
    expect(unpackMessage(sodiumPack('{"a":1}', [bob.publicKey], alice), [bob])).toEqual({
      message: '{"a":1}',
      senderVerkey: base58.encode(alice.publicKey),
      recipientVerkey: base58.encode(bob.publicKey),
    });
    expect(unpackMessage(sodiumPack('anon', [bob.publicKey], null, { variant: 'URLSAFE' }), [bob]).message).toBe(
      'anon',
    );
  });

  it('opens an envelope whose content really is XChaCha20-Poly1305 with a 24-byte iv', () => {
    const [alice, bob] = [sodiumKeyPair(), sodiumKeyPair()];
    expect(unpackMessage(sodiumPack('extended nonce', [bob.publicKey], alice, { xchacha: true }), [bob]).message).toBe(
      'extended nonce',
    );
  });

  it('packs authcrypt and anoncrypt envelopes that libsodium opens', () => {
    const [alice, bob] = [keyPair(), sodiumKeyPair()];
    expect(sodiumUnpack(packMessage(hello, [bob.publicKey], alice), bob)).toEqual({
      message: JSON.stringify(hello),
      sender: base58.encode(alice.publicKey),
    });
    expect(sodiumUnpack(packMessage('anon', [bob.publicKey]), bob)).toEqual({ message: 'anon', sender: null });
  });

  it('opens the authcrypt envelope a Python agent packed (aries-framework-go test vector)', () => {
    const keys = [
      {
        publicKey: base58.decode(PYTHON_AUTHCRYPT.recipientPublic),
        secretKey: base58.decode(PYTHON_AUTHCRYPT.recipientSecret),
      },
    ];
    const opened = unpackMessage(PYTHON_AUTHCRYPT.envelope, keys);
    expect(opened.message).toBe(PYTHON_AUTHCRYPT.message);
    expect(opened.recipientVerkey).toBe(PYTHON_AUTHCRYPT.recipientPublic);
    expect(base58.decode(opened.senderVerkey!)).toHaveLength(32);
  });

  it("opens aries-framework-go's anoncrypt envelope labelled chacha20poly1305_ietf", () => {
    const keys = [
      {
        publicKey: base58.decode(GO_ANONCRYPT.recipientPublic),
        secretKey: base58.decode(GO_ANONCRYPT.recipientSecret),
      },
    ];
    expect(unpackMessage(GO_ANONCRYPT.envelope, keys)).toEqual({
      message: GO_ANONCRYPT.message,
      senderVerkey: null,
      recipientVerkey: GO_ANONCRYPT.recipientPublic,
    });
  });

  it('reads the recipients of the RFC 0019 example without decrypting, and refuses it to anyone else', () => {
    expect(envelopeRecipients(RFC0019_AUTHCRYPT_EXAMPLE)).toEqual([
      'GJ1SzoWzavQYfNL9XkaJdrQejfztN4XqdsiV4ct3LXKL',
      'HKTAiYM8cE2kKC9KaNMZLYj4GS8uWCYMBxP2i1Y92zum',
    ]);
    expect(refusal(() => unpackMessage(RFC0019_AUTHCRYPT_EXAMPLE, [keyPair()]))).toBe('envelope_recipient_unknown');
  });
});

describe('tampered and malformed envelopes', () => {
  const [alice, bob] = [keyPair(), keyPair()];
  const authcrypt = packMessage(hello, [bob.publicKey], alice);
  const anoncrypt = packMessage(hello, [bob.publicKey]);

  it.each([
    ['altered ciphertext', authcrypt, (o: Record<string, string>) => (o.ciphertext = flipFirstByte(o.ciphertext!))],
    ['altered tag', anoncrypt, (o: Record<string, string>) => (o.tag = flipFirstByte(o.tag!))],
    ['altered iv', authcrypt, (o: Record<string, string>) => (o.iv = flipFirstByte(o.iv!))],
    [
      'altered protected header',
      anoncrypt,
      (_: unknown, h: Record<string, unknown>) => (h.enc = 'chacha20poly1305_ietf'),
    ],
    [
      're-padded protected header',
      authcrypt,
      (o: Record<string, string>) => (o.protected = `${Buffer.from(o.protected!, 'base64url').toString('base64url')}=`),
    ],
  ])('refuses an envelope with an %s', (_name, envelope, change) => {
    expect(refusal(() => unpackMessage(tamper(envelope, change as never), [bob]))).toBe('envelope_decryption_failed');
  });

  it('refuses an authcrypt envelope whose sealed sender was swapped for another verkey', () => {
    const mallory = keyPair();
    const forged = tamper(authcrypt, (_outer, header) => {
      const other = JSON.parse(
        Buffer.from(JSON.parse(packMessage(hello, [bob.publicKey], mallory)).protected, 'base64url').toString(),
      );
      (header.recipients as Array<{ header: Record<string, string> }>)[0]!.header.sender =
        other.recipients[0].header.sender;
    });
    expect(refusal(() => unpackMessage(forged, [bob]))).toBe('envelope_decryption_failed');
  });

  it('refuses an envelope addressed to a key we do not hold', () => {
    expect(refusal(() => unpackMessage(authcrypt, [alice, keyPair()]))).toBe('envelope_recipient_unknown');
  });

  it.each([
    ['not JSON', 'hello', 'envelope_malformed'],
    ['no ciphertext', JSON.stringify({ protected: 'e30', iv: 'AAAA', tag: 'AAAA' }), 'envelope_malformed'],
    [
      'a protected header that is not base64url JSON',
      tamper(anoncrypt, (o) => (o.protected = '!!')),
      'envelope_malformed',
    ],
    ['a DIDComm v2 algorithm', tamper(anoncrypt, (_o, h) => (h.alg = 'ECDH-1PU+A256KW')), 'envelope_unsupported'],
    ['another content cipher', tamper(anoncrypt, (_o, h) => (h.enc = 'A256GCM')), 'envelope_unsupported'],
    ['no recipients', tamper(anoncrypt, (_o, h) => (h.recipients = [])), 'envelope_malformed'],
    [
      'an Anoncrypt label on authcrypt recipients',
      tamper(authcrypt, (_o, h) => (h.alg = 'Anoncrypt')),
      'envelope_malformed',
    ],
    ['a 16-byte iv', tamper(anoncrypt, (o) => (o.iv = Buffer.alloc(16).toString('base64url'))), 'envelope_malformed'],
  ])('refuses %s with a typed error', (_name, envelope, code) => {
    expect(refusal(() => unpackMessage(envelope, [bob]))).toBe(code);
  });

  it('refuses to pack for no recipient or for a key that is not an Ed25519 point', () => {
    expect(refusal(() => packMessage(hello, []))).toBe('envelope_no_recipients');
    expect(refusal(() => packMessage(hello, [new Uint8Array(31)]))).toBe('key_invalid');
    expect(
      refusal(() => packMessage(hello, [bob.publicKey], { publicKey: bob.publicKey, secretKey: alice.secretKey })),
    ).toBe('key_invalid');
  });
});
