import { z } from '@hono/zod-openapi';

/** One Ed25519 public key as a JWK (RFC 8037 §2): what the host application signs address assertions with. */
export const AssertionKeySchema = z
  .strictObject({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'the 32-byte public key, base64url without padding'),
    kid: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('Matched against the assertion header’s kid when both have one.'),
  })
  .openapi('EmailAssertionKey');

/** The tenant's keys for address assertions; a list so a key can be rotated without a gap. */
export const EmailAssertionKeysSchema = z
  .array(AssertionKeySchema)
  .max(5)
  .default([])
  .describe(
    'Public keys (Ed25519 JWKs) of the host application. On a link with allowedDomains, an accept may prove the ' +
      'address with `emailAssertion`: an EdDSA JWT signed by one of these, with claims email, aud (the invitation ' +
      'id) and exp (at most 1 hour ahead). Public keys only: Usher holds nothing that could forge one.',
  );

export type AssertionKey = z.infer<typeof AssertionKeySchema>;
