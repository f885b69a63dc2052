import { ed25519 } from '@noble/curves/ed25519.js';
import { base58, base64url } from '@scure/base';

/** Multicodec prefix of an Ed25519 public key (0xed, varint-encoded). */
const ED25519_PUB = Uint8Array.of(0xed, 0x01);

/** An Ed25519 key pair and its did:key; keys as base64url. */
export interface DidKeyPair {
  readonly did: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

/** Makes a fresh Ed25519 key pair and its `did:key` (did:key spec §3.1.1: z + base58btc). */
export function generateDidKey(): DidKeyPair {
  const secret = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secret);
  return {
    did: didKeyFromPublicKey(publicKey),
    publicKey: base64url.encode(publicKey),
    privateKey: base64url.encode(secret),
  };
}

/** `did:key:z6Mk…` for a raw 32-byte Ed25519 public key. */
export function didKeyFromPublicKey(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB.length + publicKey.length);
  bytes.set(ED25519_PUB);
  bytes.set(publicKey, ED25519_PUB.length);
  return `did:key:z${base58.encode(bytes)}`;
}

/** The raw Ed25519 public key inside a `did:key`, or null when it is not an Ed25519 did:key. */
export function publicKeyFromDidKey(did: string): Uint8Array | null {
  if (!did.startsWith('did:key:z')) return null;
  let bytes: Uint8Array;
  try {
    bytes = base58.decode(did.slice('did:key:z'.length));
  } catch {
    return null;
  }
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01) return null;
  return bytes.slice(2);
}
