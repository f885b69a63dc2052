import { z } from '@hono/zod-openapi';

export const PublicJwkSchema = z
  .object({
    kty: z.literal('OKP'),
    crv: z.literal('Ed25519'),
    x: z.string().describe('The raw 32-byte public key, unpadded base64url (RFC 8037 §2).'),
    kid: z.string().describe('The `kid` in the header of tokens this key signs.'),
    alg: z.literal('EdDSA'),
    use: z.literal('sig'),
  })
  .openapi('PublicJwk');

export const JwksSchema = z
  .object({
    keys: z.array(PublicJwkSchema).describe('Active keys of every tenant and keys retired in the last 30 days.'),
  })
  .openapi('Jwks');

export const SigningKeySchema = z
  .object({
    kid: z.string(),
    status: z.enum(['active', 'retired']).describe('Active keys sign acceptance tokens; retired ones only verify.'),
    createdAt: z.string().describe('ISO-8601 UTC time.'),
    retiredAt: z.string().nullable().describe('When rotation retired it; published for 30 days after.'),
    publicJwk: PublicJwkSchema,
  })
  .openapi('SigningKey');
