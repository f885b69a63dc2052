/**
 * The three NaCl operations DIDComm v1 needs (Aries RFC 0019 §Authcrypt/§Anoncrypt pack algorithm),
 * built on @noble so that no native libsodium is required:
 *
 * - `crypto_box` (libsodium `crypto_box_easy`): X25519 → HSalsa20 key → XSalsa20-Poly1305.
 * - `crypto_box_seal`: a fresh ephemeral X25519 key, nonce = BLAKE2b-192(epk ‖ rpk),
 *   output = epk ‖ crypto_box(message).
 * - Ed25519 → X25519 key conversion (RFC 0019 keys are Ed25519 verkeys; boxes need X25519).
 *
 * The output layouts match libsodium byte for byte (MAC first, then ciphertext); the tests check
 * both directions against `libsodium-wrappers`.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { hsalsa, xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { concatBytes, randomBytes, swap32IfBE, u32, u8, utf8ToBytes } from '@noble/ciphers/utils.js';
import { blake2b } from '@noble/hashes/blake2.js';

/** Length of a `crypto_box` nonce (XSalsa20: 24 bytes). */
export const BOX_NONCE_BYTES = 24;
/** Bytes a box adds to its message: the Poly1305 MAC. */
export const BOX_MAC_BYTES = 16;
/** Bytes a sealed box adds to its message: the ephemeral public key and the MAC. */
export const SEAL_OVERHEAD_BYTES = 32 + BOX_MAC_BYTES;

const SIGMA = utf8ToBytes('expand 32-byte k');

/** An Ed25519 key pair as raw bytes; `secretKey` is the 32-byte seed or libsodium's 64-byte seed ‖ public key. */
export interface Ed25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/**
 * The X25519 public key for an Ed25519 public key (libsodium `crypto_sign_ed25519_pk_to_curve25519`); throws on a
 * non-point.
 */
export function ed25519PublicToX25519(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  return ed25519.utils.toMontgomery(publicKey);
}

/**
 * The X25519 secret for an Ed25519 secret (libsodium `crypto_sign_ed25519_sk_to_curve25519`); accepts 32- or 64-byte
 * secrets.
 */
export function ed25519SecretToX25519(secretKey: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(ed25519Seed(secretKey));
}

/** The 32-byte seed of an Ed25519 secret, whether given as a seed or as libsodium's seed ‖ public key. */
export function ed25519Seed(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length === 32) return secretKey;
  if (secretKey.length === 64) return secretKey.subarray(0, 32);
  throw new Error('an Ed25519 secret key is 32 or 64 bytes');
}

/** libsodium `crypto_box_easy`: encrypts and authenticates `message` from `secretKey` to `publicKey` (both X25519). */
export function cryptoBox(
  message: Uint8Array,
  nonce: Uint8Array,
  publicKey: Uint8Array,
  secretKey: Uint8Array,
): Uint8Array {
  return xsalsa20poly1305(boxKey(publicKey, secretKey), nonce).encrypt(message);
}

/** libsodium `crypto_box_open_easy`: the message, or null when the MAC does not verify. */
export function cryptoBoxOpen(
  box: Uint8Array,
  nonce: Uint8Array,
  publicKey: Uint8Array,
  secretKey: Uint8Array,
): Uint8Array | null {
  if (nonce.length !== BOX_NONCE_BYTES || box.length < BOX_MAC_BYTES) return null;
  try {
    return xsalsa20poly1305(boxKey(publicKey, secretKey), nonce).decrypt(box);
  } catch {
    return null;
  }
}

/** libsodium `crypto_box_seal`: anonymously encrypts `message` to an X25519 public key. */
export function cryptoBoxSeal(message: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const ephemeralSecret = x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const box = cryptoBox(message, sealNonce(ephemeralPublic, publicKey), publicKey, ephemeralSecret);
  return concatBytes(ephemeralPublic, box);
}

/** libsodium `crypto_box_seal_open`: the message, or null when it was not sealed to this key pair or was altered. */
export function cryptoBoxSealOpen(sealed: Uint8Array, publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | null {
  if (sealed.length < SEAL_OVERHEAD_BYTES) return null;
  const ephemeralPublic = sealed.subarray(0, 32);
  return cryptoBoxOpen(sealed.subarray(32), sealNonce(ephemeralPublic, publicKey), ephemeralPublic, secretKey);
}

/** Fresh random bytes from the platform CSPRNG. */
export function randomKeyBytes(length: number): Uint8Array {
  return randomBytes(length);
}

// crypto_box_beforenm: HSalsa20(X25519(sk, pk), 0^16). noble refuses an all-zero shared secret
// (a low-order public key), which libsodium also rejects.
function boxKey(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array {
  const shared = x25519.getSharedSecret(secretKey, publicKey);
  const out = new Uint32Array(8);
  hsalsa(u32(SIGMA.slice()), u32(shared.slice()), new Uint32Array(4), out);
  return u8(swap32IfBE(out));
}

// libsodium crypto_box_seal nonce: BLAKE2b with a 24-byte digest over epk ‖ recipient pk.
function sealNonce(ephemeralPublic: Uint8Array, recipientPublic: Uint8Array): Uint8Array {
  return blake2b(concatBytes(ephemeralPublic, recipientPublic), { dkLen: BOX_NONCE_BYTES });
}
