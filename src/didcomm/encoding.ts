/**
 * Byte ↔ text codecs shared by envelopes and DIDs: base64url (RFC 4648 §5), base58btc multibase and
 * the multicodec key prefixes used by did:key and did:peer.
 */
import { base58, base64urlnopad } from '@scure/base';

/** Key types DIDComm v1 uses: Ed25519 verkeys and their X25519 key-agreement twins. */
export type KeyType = 'Ed25519' | 'X25519';

/** A raw public key with its type. */
export interface TypedKey {
  readonly type: KeyType;
  readonly publicKey: Uint8Array;
}

// Multicodec table: ed25519-pub = 0xed, x25519-pub = 0xec, each as a two-byte varint.
const PREFIX: Record<KeyType, number> = { Ed25519: 0xed, X25519: 0xec };

/** Unpadded base64url, as ACA-Py and Credo emit it. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return base64urlnopad.encode(bytes);
}

/**
 * Decodes base64url with or without `=` padding; indy-sdk pads (see the RFC 0019 examples), ACA-Py
 * and Credo do not, and a few agents use the standard alphabet. Throws on anything else.
 */
export function decodeBase64Url(text: string): Uint8Array {
  const normal = text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return base64urlnopad.decode(normal);
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The string in UTF-8 bytes; throws on invalid UTF-8 rather than inventing replacement characters. */
export function fromUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

/** Base58btc (Bitcoin alphabet), the encoding of RFC 0019 `kid`s and verkeys. */
export function encodeBase58(bytes: Uint8Array): string {
  return base58.encode(bytes);
}

/** Decodes base58btc; throws on characters outside the alphabet. */
export function decodeBase58(text: string): Uint8Array {
  return base58.decode(text);
}

/** `z` + base58btc(multicodec prefix ‖ key): the form inside did:key and did:peer (`z6Mk…`, `z6LS…`). */
export function encodeMultikey(key: TypedKey): string {
  const bytes = new Uint8Array(2 + key.publicKey.length);
  bytes[0] = PREFIX[key.type];
  bytes[1] = 0x01;
  bytes.set(key.publicKey, 2);
  return `z${base58.encode(bytes)}`;
}

/** The typed 32-byte key inside a multibase multikey, or null when it is not an Ed25519 or X25519 key. */
export function decodeMultikey(multibase: string): TypedKey | null {
  if (!multibase.startsWith('z')) return null;
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(multibase.slice(1));
  } catch {
    return null;
  }
  if (bytes.length !== 34 || bytes[1] !== 0x01) return null;
  const type = (Object.keys(PREFIX) as KeyType[]).find((t) => PREFIX[t] === bytes[0]);
  return type ? { type, publicKey: bytes.slice(2) } : null;
}
