/**
 * An identity's ActivityPub key pairs: RSA (RSASSA-PKCS1-v1_5, what Mastodon and draft-cavage
 * signatures need) first, then Ed25519 (FEP-8b32 Object Integrity Proofs). Fedify numbers key ids
 * by position (#main-key, #key-2), so the order never changes. Made on first use, once, even when
 * two processes race to make them.
 */
import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import type { Db } from '#db';
import { isoTime } from '#common/json';

/** Both key pairs of an identity, as CryptoKeys. */
export async function actorKeyPairs(
  db: Db,
  identity: { id: string; tenantId: string },
  now: Date,
): Promise<CryptoKeyPair[]> {
  let row = await db.selectFrom('ap_keys').selectAll().where('identity_id', '=', identity.id).executeTakeFirst();
  if (!row) {
    const [rsa, ed] = await Promise.all([generateCryptoKeyPair('RSASSA-PKCS1-v1_5'), generateCryptoKeyPair('Ed25519')]);
    const jwk = async (key: CryptoKey) => JSON.stringify(await exportJwk(key));
    await db
      .insertInto('ap_keys')
      .values({
        identity_id: identity.id,
        tenant_id: identity.tenantId,
        rsa_public: await jwk(rsa.publicKey),
        rsa_private: await jwk(rsa.privateKey),
        ed25519_public: await jwk(ed.publicKey),
        ed25519_private: await jwk(ed.privateKey),
        created_at: isoTime(now),
      })
      // Another process made them first: theirs stand.
      .onConflict((oc) => oc.column('identity_id').doNothing())
      .execute();
    row = await db.selectFrom('ap_keys').selectAll().where('identity_id', '=', identity.id).executeTakeFirstOrThrow();
  }
  const pair = async (publicJwk: string, privateJwk: string): Promise<CryptoKeyPair> => ({
    publicKey: await importJwk(JSON.parse(publicJwk) as JsonWebKey, 'public'),
    privateKey: await importJwk(JSON.parse(privateJwk) as JsonWebKey, 'private'),
  });
  return [await pair(row.rsa_public, row.rsa_private), await pair(row.ed25519_public, row.ed25519_private)];
}
