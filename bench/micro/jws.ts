/**
 * Signing and verifying an acceptance token of the real shape: Usher's hand-written compact JWS against
 * jose's SignJWT / jwtVerify, in one process, alternating. Run: `npx tsx bench/micro/jws.ts`.
 */
import { createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, jwtVerify, SignJWT } from 'jose';
import { signCompactJws } from '../../src/acceptance/jws';
import type { AcceptanceClaims } from '../../src/acceptance/acceptance-token';
import { verifyAcceptanceToken } from '#sdk';
import { compare, formatResults } from './compare';
import { signHandWrittenJws } from './hand-written-jws';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const seed = new Uint8Array(randomBytes(32));
const pkcs8 = Buffer.concat([PKCS8_ED25519_PREFIX, seed]);
const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, 'Ed25519', false, ['sign']);
const publicKey = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1' } as JsonWebKey;
const jwks = { keys: [publicJwk] };

const iat = Math.floor(Date.now() / 1000);
const tenant = randomUUID();
const redemption = randomUUID();
// The claims issueAcceptanceToken signs for an email invitation into a project, with a sender.
const claims: AcceptanceClaims = {
  iss: 'https://usher.example.com',
  aud: tenant,
  sub: 'email:ada@example.com',
  iat,
  nbf: iat,
  exp: iat + 300,
  jti: redemption,
  invitation: randomUUID(),
  tenant,
  target: { type: 'project', iri: 'https://app.example.com/projects/42', name: 'Analytical Engine' },
  role: 'editor',
  rules: ['Financeur'],
  recipient: {
    key: 'email:ada@example.com',
    email: 'ada@example.com',
    did: null,
    actorIri: null,
    subject: null,
    name: 'Ada',
  },
  redemption,
  membership: randomUUID(),
  invited_by: { id: 'user-7', name: 'Charles', email: 'charles@example.com' },
};
const header = { alg: 'EdDSA', typ: 'JWT', kid: 'k1' };

const signWithJose = () => new SignJWT({ ...claims }).setProtectedHeader(header).sign(privateKey);

// Correctness first: Ed25519 is deterministic, so the same header and claims give the same token, and each
// side verifies the other's.
const hand = signHandWrittenJws(header, claims, seed);
const fromJose = await signWithJose();
const fromSrc = signCompactJws(header, claims, seed);
if (hand !== fromJose || fromSrc !== fromJose) throw new Error('the implementations sign different tokens');
await jwtVerify(hand, publicKey, { audience: tenant });
await verifyAcceptanceToken(fromJose, { audience: tenant, jwks });
console.log(`tokens byte-identical (${hand.length} characters); jose verifies ours, the SDK verifies jose's\n`);

// What jose spends its time on: WebCrypto's sign, queued to libuv's thread pool, alone on the same bytes.
const signingInput = new TextEncoder().encode(hand.slice(0, hand.lastIndexOf('.')));
const signResults = await compare([
  { name: 'hand-written (node:crypto, KeyObject cached by seed)', run: () => signHandWrittenJws(header, claims, seed) },
  { name: 'jose SignJWT (CryptoKey imported once)', run: signWithJose },
  { name: 'src/acceptance/jws.ts as committed', run: () => signCompactJws(header, claims, seed) },
  { name: 'WebCrypto subtle.sign alone, no JOSE', run: () => crypto.subtle.sign('Ed25519', privateKey, signingInput) },
]);
console.log(formatResults('sign an acceptance token', signResults));
const verifyResults = await compare([
  { name: 'jose jwtVerify (KeyObject imported once)', run: () => jwtVerify(hand, publicKey, { audience: tenant }) },
  {
    name: 'SDK verifyAcceptanceToken (WebCrypto, JWK imported per call)',
    run: () => verifyAcceptanceToken(hand, { audience: tenant, jwks }),
  },
]);
console.log(formatResults('verify an acceptance token', verifyResults));
