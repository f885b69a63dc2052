import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcceptanceTokenError, verifyAcceptanceToken, verifyWebhook, WebhookVerificationError } from '#sdk';

// The SDK's verifiers against independent implementations: standardwebhooks signs, jose signs JWTs.

describe('verifyWebhook, with the standardwebhooks library as the signer', () => {
  const secret = `whsec_${Buffer.from('a-32-byte-secret-for-the-tests!!').toString('base64')}`;
  const signer = new Webhook(secret);
  const body = JSON.stringify({ type: 'invitation.accepted', data: { id: 'inv_1' } });
  const sentAt = new Date('2026-12-06T12:00:00Z');
  const headers = {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(sentAt.getTime() / 1000),
    'webhook-signature': signer.sign('msg_1', sentAt, body),
  };
  const at = (seconds: number) => ({ now: () => new Date(sentAt.getTime() + seconds * 1000) });

  it('accepts a genuine delivery, from a plain object or a Headers, and returns the parsed body', async () => {
    expect(await verifyWebhook(body, headers, secret, at(60))).toEqual(JSON.parse(body));
    expect(await verifyWebhook(body, new Headers(headers), secret, at(-60))).toEqual(JSON.parse(body));
    // A rotated secret: one of several signatures matching is enough.
    const both = { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` };
    expect(await verifyWebhook(body, both, secret, at(0))).toEqual(JSON.parse(body));
  });

  it('refuses a changed body, another id, the wrong secret, a stale or future timestamp, missing headers', async () => {
    const other = `whsec_${Buffer.from('another-32-byte-secret-for-tests').toString('base64')}`;
    const refusals = [
      async () => verifyWebhook(body.replace('inv_1', 'inv_2'), headers, secret, at(0)),
      async () => verifyWebhook(body, { ...headers, 'webhook-id': 'msg_2' }, secret, at(0)),
      async () => verifyWebhook(body, headers, other, at(0)),
      async () => verifyWebhook(body, headers, secret, at(301)),
      async () => verifyWebhook(body, headers, secret, at(-301)),
      async () => verifyWebhook(body, { ...headers, 'webhook-signature': undefined }, secret, at(0)),
    ];
    for (const refusal of refusals) await expect(refusal()).rejects.toBeInstanceOf(WebhookVerificationError);
  });
});

describe('verifyAcceptanceToken, with jose as the signer', () => {
  let jwks: { keys: JsonWebKey[] };
  let sign: (claims: Record<string, unknown>, kid?: string) => Promise<string>;
  let server: Server;
  let url: string;
  const now = Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' } as JsonWebKey] };
    sign = (claims, kid = 'k1') =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(privateKey);
    server = createServer((_, response) => {
      response.setHeader('content-type', 'application/json').end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  const claims = { iss: 'https://usher.test', sub: 'mem_1', aud: 'ten_1', iat: now, nbf: now, exp: now + 300 };

  it('returns the claims of a genuine token, keys given or fetched from the JWKS URL', async () => {
    const token = await sign(claims);
    expect(await verifyAcceptanceToken(token, { jwks, audience: 'ten_1' })).toMatchObject(claims);
    const fetched = await verifyAcceptanceToken(token, { url, audience: 'ten_1', issuer: 'https://usher.test' });
    expect(fetched).toMatchObject(claims);
  });

  it('refuses another audience or issuer, an expired or future token, an unknown kid, a changed payload', async () => {
    const token = await sign(claims);
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'mem_2' })).toString('base64url');
    const forged = `${header}.${payload}.${signature}`;
    const refusals = [
      async () => verifyAcceptanceToken(token, { jwks, audience: 'ten_2' }),
      async () => verifyAcceptanceToken(token, { jwks, audience: 'ten_1', issuer: 'https://evil.test' }),
      async () => verifyAcceptanceToken(await sign({ ...claims, exp: now - 1 }), { jwks, audience: 'ten_1' }),
      async () => verifyAcceptanceToken(await sign({ ...claims, nbf: now + 600 }), { jwks, audience: 'ten_1' }),
      async () => verifyAcceptanceToken(await sign(claims, 'k2'), { jwks, audience: 'ten_1' }),
      async () => verifyAcceptanceToken(forged, { jwks, audience: 'ten_1' }),
      async () => verifyAcceptanceToken('not.a-token', { jwks, audience: 'ten_1' }),
    ];
    for (const refusal of refusals) await expect(refusal()).rejects.toBeInstanceOf(AcceptanceTokenError);
  });
});
