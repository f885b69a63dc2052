import { createHash, timingSafeEqual } from 'node:crypto';
import { takeRandom } from './random-pool';

/** A new random secret: 32 bytes (256 bits) as base64url, optionally behind a readable prefix. */
export function newSecret(prefix = ''): string {
  const bytes = takeRandom(32);
  const secret = prefix + bytes.toString('base64url');
  // The pool keeps only bytes not yet handed out (see random-pool.ts).
  bytes.fill(0);
  return secret;
}

/**
 * SHA-256 hex of a secret. Secrets here are 256-bit random values, never passwords, so a slow
 * KDF adds nothing: the hash is only a lookup key that cannot be turned back into the secret.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** SHA-256 hex of any string (request fingerprints). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
