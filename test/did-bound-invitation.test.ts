/**
 * A DID-bound invitation (recipient.did) admits only whoever proves that DID: naming it is refused, a proof by another
 * key is refused, a JWS over a fresh challenge signed with the DID's key admits, once per challenge. The proofs are
 * made here with node:crypto and jose, independently of Usher's DID code.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { expect, it } from 'vitest';
import { describeEachStore } from '#support/stores';
import { tokenOf, useTestUsher } from '#support/usher';

const TARGET = { type: 'group', iri: 'https://example.com/g/lab', name: 'Lab' };
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** A did:key (Ed25519, multicodec 0xed01) with its private key. */
function newDidKey(): { did: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return { did: `did:key:z${base58(Uint8Array.from([0xed, 0x01, ...raw]))}`, privateKey };
}

const sign = (privateKey: KeyObject, payload: object) =>
  new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA' })
    .sign(privateKey);

describeEachStore('DID-bound invitations are accepted only with proof of the DID', (engine) => {
  const usher = useTestUsher(engine);
  const accept = (url: string, body: Record<string, unknown>) =>
    usher.request('POST', `/v1/public/invitations/${tokenOf(url)}/accept`, { key: null, body });
  const challenge = (url: string) =>
    usher.request('POST', `/v1/public/invitations/${tokenOf(url)}/did-challenge`, { key: null });
  const create = async (did: string, usesAllowed = 1) => {
    const created = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed, role: 'member', target: TARGET, recipient: { did } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body as { id: string; url: string };
  };

  it('refuses an acceptor that only names the DID, and one that signs with another key', async () => {
    const holder = newDidKey();
    const link = await create(holder.did);
    const named = await accept(link.url, { did: holder.did });
    expect(named.status, JSON.stringify(named.body)).toBe(403);
    expect(named.body).toMatchObject({ code: 'did_proof_required', field: 'body.didProof' });

    const { nonce } = (await challenge(link.url)).body;
    const forged = await accept(link.url, { did: holder.did, didProof: await sign(newDidKey().privateKey, { nonce }) });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'did_proof_invalid', field: 'body.didProof' });
    const invitation = (await usher.request('GET', `/v1/invitations/${link.id}`)).body;
    expect(invitation).toMatchObject({ status: 'pending', usesCount: 0 });
  });

  it("admits the DID's holder with a signed challenge, and each challenge only once", async () => {
    const holder = newDidKey();
    const link = await create(holder.did, 3);
    const issued = await challenge(link.url);
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    expect(issued.body).toMatchObject({ did: holder.did, nonce: expect.any(String) });
    const proof = await sign(holder.privateKey, { nonce: issued.body.nonce });
    const accepted = await accept(link.url, { didProof: proof });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.membership.member).toMatchObject({ did: holder.did });

    const replayed = await accept(link.url, { didProof: proof });
    expect(replayed.status).toBe(403);
    expect(replayed.body.code).toBe('did_proof_invalid');

    const again = await accept(link.url, {
      didProof: await sign(holder.privateKey, { nonce: (await challenge(link.url)).body.nonce }),
    });
    expect(again.status).toBe(200);
    expect(again.body.existingMembership).toBe(true);
    expect((await usher.request('GET', `/v1/invitations/${link.id}`)).body.usesCount).toBe(1);
  });

  it('has no challenge for an invitation bound to no DID', async () => {
    const open = await usher.request('POST', '/v1/invitations', {
      body: { channel: 'link', usesAllowed: 2, role: 'member', target: TARGET },
    });
    const refused = await challenge(open.body.url);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('invitation_not_did_bound');
  });
});
