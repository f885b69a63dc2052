import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64urlnopad } from '@scure/base';
import { forgetAfterCommit, inTransaction, preparedQuery, type Db, type ShortMemory, type SigningKeyRow } from '#db';
import { compareKeys } from '#db/keyset';
import { isoTime } from '#common/json';
import type { Audit } from '#audit';
import { lockTenantRow } from '#tenants';

/** How long a retired key stays in the JWKS: far longer than any token lives or any verifier caches. */
export const RETIRED_KEY_PUBLISHED_MS = 30 * 24 * 60 * 60 * 1000;

/** A key signs while active; once retired it only verifies. */
export type SigningKeyStatus = 'active' | 'retired';

/** An Ed25519 public key as a JWK (RFC 8037 §2), as verifiers fetch it. */
export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
}

/** A tenant's signing key as listed: never the private half. */
export interface SigningKey {
  readonly kid: string;
  readonly status: SigningKeyStatus;
  readonly createdAt: string;
  readonly retiredAt: string | null;
  readonly publicJwk: PublicJwk;
}

/** The key that signs now, with its raw private key; stays inside the process. */
export interface ActiveSigningKey extends SigningKey {
  readonly privateKey: Uint8Array;
}

// Keys and kids are unpadded base64url, the encoding JOSE uses (RFC 7515 §2), so `x` is the stored column.
function toPublicJwk(kid: string, publicKey: string): PublicJwk {
  return { kty: 'OKP', crv: 'Ed25519', x: publicKey, kid, alg: 'EdDSA', use: 'sig' };
}

function toSigningKey(row: SigningKeyRow): SigningKey {
  return {
    kid: row.kid,
    status: row.status as SigningKeyStatus,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
    publicJwk: toPublicJwk(row.kid, row.public_key),
  };
}

function toActiveSigningKey(row: SigningKeyRow): ActiveSigningKey {
  return { ...toSigningKey(row), privateKey: base64urlnopad.decode(row.private_key) };
}

function newKeyRow(tenantId: string, now: Date): SigningKeyRow {
  const secret = ed25519.utils.randomSecretKey();
  return {
    kid: base64urlnopad.encode(randomBytes(16)),
    tenant_id: tenantId,
    public_key: base64urlnopad.encode(ed25519.getPublicKey(secret)),
    private_key: base64urlnopad.encode(secret),
    status: 'active',
    created_at: isoTime(now),
    retired_at: null,
  };
}

// Newest first, kid as tie-break: should two active keys ever exist, every reader picks the same one.
// Picked here rather than by ORDER BY … LIMIT, which costs SQLite a re-plan on every accept (see
// "Statement shapes" in docs/architecture.md); a tenant has one active key.
const activeKeys = preparedQuery((db, p: { tenantId: string }) =>
  db.selectFrom('signing_keys').selectAll().where('tenant_id', '=', p.tenantId).where('status', '=', 'active'),
);

async function findActiveRow(db: Db, tenantId: string): Promise<SigningKeyRow | undefined> {
  const rows = await activeKeys.execute(db, { tenantId });
  return rows.reduce<SigningKeyRow | undefined>(
    (newest, row) =>
      !newest || compareKeys(row.created_at, row.kid, newest.created_at, newest.kid) > 0 ? row : newest,
    undefined,
  );
}

/**
 * Runs `work` in a transaction (the caller's, if `db` is one) that holds the tenant row's lock.
 * `signing_keys` has no unique index on the active key (migration 0002 is frozen), so creation
 * and rotation serialise on the tenant row instead (`lockTenantRow`). A waiter re-reads after
 * the lock is granted, and under READ COMMITTED that read sees the winner's key.
 */
async function withTenantKeyLock<T>(db: Db, tenantId: string, work: (trx: Db) => Promise<T>): Promise<T> {
  const run = async (trx: Db) => {
    await lockTenantRow(trx, tenantId);
    return work(trx);
  };
  return inTransaction(db, run);
}

/** The tenant's active key, made on first use; concurrent first calls agree on one key. */
export async function getActiveSigningKey(db: Db, tenantId: string, now: Date): Promise<ActiveSigningKey> {
  // The fast path takes no lock: once a tenant has a key, issuing a token is one read.
  const found = await findActiveRow(db, tenantId);
  return found ? toActiveSigningKey(found) : makeActiveSigningKey(db, tenantId, now);
}

/** For a tenant whose read found no active key: makes one under the tenant's lock, or takes a racing caller's. */
function makeActiveSigningKey(db: Db, tenantId: string, now: Date): Promise<ActiveSigningKey> {
  return withTenantKeyLock(db, tenantId, async (trx) => {
    const raced = await findActiveRow(trx, tenantId);
    if (raced) return toActiveSigningKey(raced);
    const row = newKeyRow(tenantId, now);
    await trx.insertInto('signing_keys').values(row).execute();
    return toActiveSigningKey(row);
  });
}

/**
 * getActiveSigningKey through `memory`: a tenant's key is read once a second, not once an accept. Only a key read is
 * remembered, never one made here, whose transaction may yet roll back; a rotation through this process is seen at
 * once, through another within the memory's time, while the retired key is still published.
 */
export async function recallActiveSigningKey(
  memory: ShortMemory,
  db: Db,
  tenantId: string,
  now: Date,
): Promise<ActiveSigningKey> {
  const found = await memory.recall(`signing-key:${tenantId}`, async () => {
    const row = await findActiveRow(db, tenantId);
    return row ? toActiveSigningKey(row) : null;
  });
  return found ?? makeActiveSigningKey(db, tenantId, now);
}

/** Makes a new active key and retires the previous one, which stays published for 30 days. */
export async function rotateSigningKey(db: Db, tenantId: string, now: Date, audit?: Audit): Promise<SigningKey> {
  return withTenantKeyLock(db, tenantId, async (trx) => {
    // A retired key never signs again, so its private half is wiped: nothing left to leak.
    await trx
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: isoTime(now), private_key: '' })
      .where('tenant_id', '=', tenantId)
      .where('status', '=', 'active')
      .execute();
    const row = newKeyRow(tenantId, now);
    await trx.insertInto('signing_keys').values(row).execute();
    await forgetAfterCommit(trx);
    await audit?.(trx, { action: 'signing_key.rotated', subjectType: 'signing_key', subjectId: row.kid });
    return toSigningKey(row);
  });
}

/** Every key the tenant has had, newest first, without private keys. */
export async function listSigningKeys(db: Db, tenantId: string): Promise<SigningKey[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
  return rows.map(toSigningKey);
}

/** The JWK Set (RFC 7517 §5) of every tenant's active keys and keys retired in the last 30 days. */
export async function publicJwks(db: Db, now: Date): Promise<{ keys: PublicJwk[] }> {
  const cutoff = isoTime(new Date(now.getTime() - RETIRED_KEY_PUBLISHED_MS));
  // Only the public columns are selected, so a private key cannot reach this response by mistake.
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'public_key'])
    .where((eb) =>
      eb.or([eb('status', '=', 'active'), eb.and([eb('status', '=', 'retired'), eb('retired_at', '>', cutoff)])]),
    )
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
  return { keys: rows.map((row) => toPublicJwk(row.kid, row.public_key)) };
}
