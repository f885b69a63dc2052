/** The Ed25519 keys Usher holds for DIDComm, found by the verkey an envelope is addressed to. */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Db } from '#db';
import { isoTime } from '#common/json';
import type { Ed25519KeyPair } from './crypto-box';
import { decodeBase58, decodeBase64Url, encodeBase58, encodeBase64Url } from './encoding';

/** A held key with its owner: the tenant, and the invitation or connection it serves. */
export interface HeldKey extends Ed25519KeyPair {
  readonly verkey: string;
  readonly tenantId: string;
  readonly invitationId: string | null;
  readonly connectionId: string | null;
}

/** Makes and stores a fresh key for an invitation or a connection. */
export async function createKey(
  db: Db,
  owner: { tenantId: string; invitationId?: string | null; connectionId?: string | null },
  now: Date,
): Promise<HeldKey> {
  const secretKey = ed25519.utils.randomSecretKey();
  const publicKey = ed25519.getPublicKey(secretKey);
  const verkey = encodeBase58(publicKey);
  await db
    .insertInto('didcomm_keys')
    .values({
      verkey,
      tenant_id: owner.tenantId,
      secret: encodeBase64Url(secretKey),
      invitation_id: owner.invitationId ?? null,
      connection_id: owner.connectionId ?? null,
      created_at: isoTime(now),
    })
    .execute();
  return {
    verkey,
    publicKey,
    secretKey,
    tenantId: owner.tenantId,
    invitationId: owner.invitationId ?? null,
    connectionId: owner.connectionId ?? null,
  };
}

/** The first of `verkeys` that Usher holds, or null: an envelope lists its recipients' kids. */
export async function findKey(db: Db, verkeys: readonly string[]): Promise<HeldKey | null> {
  if (verkeys.length === 0) return null;
  const row = await db
    .selectFrom('didcomm_keys')
    .selectAll()
    .where('verkey', 'in', verkeys.slice(0, 20))
    .executeTakeFirst();
  if (!row) return null;
  return {
    verkey: row.verkey,
    publicKey: decodeBase58(row.verkey),
    secretKey: decodeBase64Url(row.secret),
    tenantId: row.tenant_id,
    invitationId: row.invitation_id,
    connectionId: row.connection_id,
  };
}

/** The key of one tenant's invitation or connection by verkey; throws when absent (a broken invariant). */
export async function getKey(db: Db, tenantId: string, verkey: string): Promise<HeldKey> {
  const key = await findKey(db, [verkey]);
  if (!key || key.tenantId !== tenantId) throw new Error(`DIDComm key ${verkey} is not held for tenant ${tenantId}`);
  return key;
}
