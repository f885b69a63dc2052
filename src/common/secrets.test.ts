import { describe, expect, it } from 'vitest';
import { takeRandom } from './random-pool';
import { hashSecret, newSecret } from './secrets';

describe('newSecret', () => {
  it('makes 256-bit base64url secrets, each different, behind the prefix asked for', () => {
    // More than one pool's worth (4 KiB is 128 secrets), so refills are crossed.
    const secrets = Array.from({ length: 1000 }, () => newSecret('usk_'));
    expect(new Set(secrets).size).toBe(secrets.length);
    for (const secret of secrets) expect(secret).toMatch(/^usk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secrets[0]!.slice(4), 'base64url')).toHaveLength(32);
  });

  it('leaves no secret it handed out in the random pool', () => {
    takeRandom(4096); // the whole pool, so the secret starts a fresh one at its first byte
    const secret = newSecret();
    // The 32 bytes just before the next ones handed out are the secret's: zeroed, not its bytes.
    const next = takeRandom(1);
    const spent = Buffer.from(next.buffer, next.byteOffset - 32, 32);
    expect(spent.equals(Buffer.alloc(32))).toBe(true);
    expect(spent.equals(Buffer.from(secret, 'base64url'))).toBe(false);
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
  });
});
