/**
 * DIDComm v1 encryption envelopes (Aries RFC 0019 "Encryption Envelope"): authcrypt and anoncrypt.
 *
 * Content encryption — what agents really do, not what the header says. Every agent writes
 * `enc: "xchacha20poly1305_ietf"` in the protected header, yet encrypts with IETF
 * ChaCha20-Poly1305 and a 12-byte nonce:
 * - RFC 0019 itself, pack algorithm step 4: `crypto_aead_chacha20poly1305_ietf_encrypt_detached`;
 *   its example `iv` values ("ZqOrBZiA-RdFMhy2") decode to 12 bytes.
 *   (hyperledger/aries-rfcs features/0019-encryption-envelope/README.md)
 * - ACA-Py: `Key.generate(KeyAlg.C20P)` + `aead_encrypt` (aries_cloudagent/askar/didcomm/v1.py);
 *   askar's C20P is `ChaCha20Poly1305` (askar-crypto alg/chacha20.rs), XC20P being the other one.
 * - Credo-ts: `Key.generate(KeyAlgs.Chacha20C20P)` (packages/askar/src/wallet/didcommV1.ts).
 * - indy-sdk: "advertises xchacha but doesn't actually use it" (hyperledger/ursa PR #111);
 *   aries-framework-go's legacy packer: "does not support XChacha20Poly1035 (XC20P), only
 *   Chacha20Poly1035 (C20P)" (pkg/didcomm/packer/legacy/authcrypt/authcrypt.go) and labels its
 *   own anoncrypt envelopes `enc: "chacha20poly1305_ietf"`. ACA-Py issue #196 records the mismatch.
 * So we pack with ChaCha20-Poly1305 (12-byte iv) under the customary label, and unpack by the
 * iv's length: 12 bytes → ChaCha20-Poly1305, 24 bytes → XChaCha20-Poly1305 (as proposed in ursa
 * PR #111), accepting either label. The AAD is the `protected` string exactly as transmitted.
 */
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { concatBytes, equalBytes } from '@noble/ciphers/utils.js';
import {
  cryptoBox,
  cryptoBoxOpen,
  cryptoBoxSeal,
  cryptoBoxSealOpen,
  ed25519PublicToX25519,
  ed25519Seed,
  ed25519SecretToX25519,
  randomKeyBytes,
  type Ed25519KeyPair,
} from './crypto-box';
import { decodeBase58, decodeBase64Url, encodeBase58, encodeBase64Url, fromUtf8, utf8 } from './encoding';
import { didcommError } from './errors';

/** A decrypted envelope: the plaintext, who sent it (authcrypt only) and which of our keys it was for (base58). */
export interface UnpackedMessage {
  readonly message: string;
  readonly senderVerkey: string | null;
  readonly recipientVerkey: string;
}

const TYP = 'JWM/1.0';
const ENC_LABEL = 'xchacha20poly1305_ietf';
const ENC_LABELS: ReadonlySet<unknown> = new Set([ENC_LABEL, 'chacha20poly1305_ietf']);
const TAG_BYTES = 16;

interface Recipient {
  readonly encrypted_key: string;
  readonly header: { readonly kid: string; readonly sender?: string | null; readonly iv?: string | null };
}

interface ParsedEnvelope {
  readonly protected: string;
  readonly alg: 'Authcrypt' | 'Anoncrypt';
  readonly recipients: readonly Recipient[];
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/**
 * Packs a message for Ed25519 recipient verkeys (RFC 0019 §pack_message): authcrypt when a sender
 * key pair is given, anoncrypt otherwise. Returns the envelope as JSON text.
 */
export function packMessage(
  message: object | string,
  recipientVerkeys: readonly Uint8Array[],
  sender?: Ed25519KeyPair,
): string {
  if (recipientVerkeys.length === 0) throw didcommError('envelope_no_recipients');
  const cek = randomKeyBytes(32);
  const senderX = sender ? senderSecret(sender) : null;
  const senderVerkey = sender ? utf8(encodeBase58(sender.publicKey)) : null;
  const recipients = recipientVerkeys.map((verkey, index) => {
    const target = toX25519(verkey, `recipientVerkeys[${index}]`);
    const kid = encodeBase58(verkey);
    if (!senderX || !senderVerkey)
      return { encrypted_key: encodeBase64Url(cryptoBoxSeal(cek, target)), header: { kid } };
    // RFC 0019 §Authcrypt pack algorithm 2.1–2.3: CEK boxed from sender to recipient, sender verkey sealed.
    const iv = randomKeyBytes(24);
    const sealedSender = encodeBase64Url(cryptoBoxSeal(senderVerkey, target));
    return {
      encrypted_key: encodeBase64Url(cryptoBox(cek, iv, target, senderX)),
      header: { kid, sender: sealedSender, iv: encodeBase64Url(iv) },
    };
  });
  const header = { enc: ENC_LABEL, typ: TYP, alg: sender ? 'Authcrypt' : 'Anoncrypt', recipients };
  const protectedText = encodeBase64Url(utf8(JSON.stringify(header)));
  const nonce = randomKeyBytes(12);
  const plaintext = typeof message === 'string' ? message : JSON.stringify(message);
  const sealed = chacha20poly1305(cek, nonce, utf8(protectedText)).encrypt(utf8(plaintext));
  return JSON.stringify({
    protected: protectedText,
    iv: encodeBase64Url(nonce),
    ciphertext: encodeBase64Url(sealed.subarray(0, sealed.length - TAG_BYTES)),
    tag: encodeBase64Url(sealed.subarray(sealed.length - TAG_BYTES)),
  });
}

/**
 * Opens an envelope with whichever of `keys` it is addressed to (RFC 0019 §Unpack Algorithm); refuses with a typed
 * error.
 */
export function unpackMessage(envelope: string, keys: readonly Ed25519KeyPair[]): UnpackedMessage {
  const parsed = parseEnvelope(envelope);
  const ours = new Map(keys.map((key) => [encodeBase58(key.publicKey), key]));
  const recipient = parsed.recipients.find((candidate) => ours.has(candidate.header.kid));
  const own = recipient && ours.get(recipient.header.kid);
  if (!recipient || !own)
    throw didcommError(
      'envelope_recipient_unknown',
      `Addressed to ${parsed.recipients.map((r) => r.header.kid).join(', ')}`,
    );
  const secret = ownSecret(own);
  const publicKey = toX25519(own.publicKey, 'keys');
  const encryptedKey = bytesOf(recipient.encrypted_key, 'encrypted_key');
  const { sender, iv } = recipient.header;
  let cek: Uint8Array | null;
  let senderVerkey: string | null = null;
  if (parsed.alg === 'Authcrypt') {
    if (!sender || !iv)
      throw didcommError('envelope_malformed', 'An Authcrypt recipient needs sender and iv', 'recipients');
    const from = openSender(bytesOf(sender, 'sender'), publicKey, secret);
    senderVerkey = from.verkey;
    cek = cryptoBoxOpen(encryptedKey, bytesOf(iv, 'iv'), from.x25519, secret);
  } else {
    if (sender || iv)
      throw didcommError('envelope_malformed', 'An Anoncrypt recipient carries no sender or iv', 'recipients');
    cek = cryptoBoxSealOpen(encryptedKey, publicKey, secret);
  }
  if (!cek || cek.length !== 32) throw didcommError('envelope_decryption_failed', 'The content key does not open');
  const plaintext = openContent(parsed, cek);
  try {
    return { message: fromUtf8(plaintext), senderVerkey, recipientVerkey: recipient.header.kid };
  } catch {
    throw didcommError('envelope_malformed', 'The message is not UTF-8');
  }
}

/**
 * The recipient `kid`s (base58 verkeys) an envelope is addressed to, read without decrypting: routes an inbound
 * envelope to its owner.
 */
export function envelopeRecipients(envelope: string): string[] {
  return parseEnvelope(envelope).recipients.map((recipient) => recipient.header.kid);
}

function openContent(parsed: ParsedEnvelope, cek: Uint8Array): Uint8Array {
  const nonce = bytesOf(parsed.iv, 'iv');
  const tag = bytesOf(parsed.tag, 'tag');
  const aead = nonce.length === 12 ? chacha20poly1305 : nonce.length === 24 ? xchacha20poly1305 : null;
  if (!aead) throw didcommError('envelope_malformed', 'The iv must be 12 or 24 bytes', 'iv');
  if (tag.length !== TAG_BYTES) throw didcommError('envelope_malformed', 'The tag must be 16 bytes', 'tag');
  try {
    return aead(cek, nonce, utf8(parsed.protected)).decrypt(concatBytes(bytesOf(parsed.ciphertext, 'ciphertext'), tag));
  } catch {
    throw didcommError('envelope_decryption_failed', 'The tag does not verify: ciphertext or protected header altered');
  }
}

// The sealed sender is the sender's verkey as base58 text (RFC 0019 §Authcrypt pack algorithm 2.2).
function openSender(
  sealed: Uint8Array,
  publicKey: Uint8Array,
  secret: Uint8Array,
): { verkey: string; x25519: Uint8Array } {
  const opened = cryptoBoxSealOpen(sealed, publicKey, secret);
  if (!opened) throw didcommError('envelope_decryption_failed', 'The sender field does not open');
  try {
    const verkey = fromUtf8(opened);
    return { verkey, x25519: ed25519PublicToX25519(decodeBase58(verkey)) };
  } catch {
    throw didcommError('envelope_malformed', 'The sender is not a base58 Ed25519 verkey', 'sender');
  }
}

function parseEnvelope(envelope: string): ParsedEnvelope {
  const outer = parseJson(envelope, 'The envelope is not JSON');
  if (
    !isRecord(outer) ||
    ![outer.protected, outer.iv, outer.ciphertext, outer.tag].every((v) => typeof v === 'string')
  ) {
    throw didcommError('envelope_malformed', 'An envelope has string protected, iv, ciphertext and tag');
  }
  const protectedText = outer.protected as string;
  let header: unknown;
  try {
    header = JSON.parse(fromUtf8(decodeBase64Url(protectedText)));
  } catch {
    throw didcommError('envelope_malformed', 'The protected header is not base64url JSON', 'protected');
  }
  if (!isRecord(header)) throw didcommError('envelope_malformed', 'The protected header is not an object', 'protected');
  if (header.alg !== 'Authcrypt' && header.alg !== 'Anoncrypt')
    throw didcommError('envelope_unsupported', `alg ${String(header.alg)}`, 'alg');
  if (header.enc !== undefined && !ENC_LABELS.has(header.enc))
    throw didcommError('envelope_unsupported', `enc ${String(header.enc)}`, 'enc');
  if (header.typ !== undefined && header.typ !== TYP)
    throw didcommError('envelope_unsupported', `typ ${String(header.typ)}`, 'typ');
  const { recipients } = header;
  if (!Array.isArray(recipients) || recipients.length === 0 || !recipients.every(isRecipient)) {
    throw didcommError(
      'envelope_malformed',
      'recipients must list objects with encrypted_key and header.kid',
      'recipients',
    );
  }
  return {
    protected: protectedText,
    alg: header.alg,
    recipients,
    iv: outer.iv as string,
    ciphertext: outer.ciphertext as string,
    tag: outer.tag as string,
  };
}

function isRecipient(value: unknown): value is Recipient {
  if (!isRecord(value) || typeof value.encrypted_key !== 'string' || !isRecord(value.header)) return false;
  const { kid, sender, iv } = value.header;
  return typeof kid === 'string' && [sender, iv].every((v) => v === undefined || v === null || typeof v === 'string');
}

function senderSecret(sender: Ed25519KeyPair): Uint8Array {
  try {
    if (!equalBytes(ed25519.getPublicKey(ed25519Seed(sender.secretKey)), sender.publicKey)) throw new Error('mismatch');
    return ed25519SecretToX25519(sender.secretKey);
  } catch {
    throw didcommError('key_invalid', 'The sender secret key does not match its public key', 'sender');
  }
}

function ownSecret(key: Ed25519KeyPair): Uint8Array {
  try {
    return ed25519SecretToX25519(key.secretKey);
  } catch {
    throw didcommError('key_invalid', 'A secret key is 32 or 64 bytes', 'keys');
  }
}

function toX25519(verkey: Uint8Array, field: string): Uint8Array {
  try {
    return ed25519PublicToX25519(verkey);
  } catch {
    throw didcommError('key_invalid', 'Not an Ed25519 public key', field);
  }
}

function bytesOf(text: string, field: string): Uint8Array {
  try {
    return decodeBase64Url(text);
  } catch {
    throw didcommError('envelope_malformed', `${field} is not base64url`, field);
  }
}

function parseJson(text: string, detail: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw didcommError('envelope_malformed', detail);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
