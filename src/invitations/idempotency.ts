import type { Kysely } from 'kysely';
import type { Database } from '#db';
import { isUniqueViolation, ownGroup } from '#db';
import { isoTime } from '#common/json';
import { sha256Hex } from '#common/secrets';
import { invitationError } from './errors';

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export interface IdempotentResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly replayed: boolean;
}

export interface IdempotencyRequest {
  readonly tenantId: string;
  readonly key: string | undefined;
  /** What makes two requests "the same": route and validated body. */
  readonly fingerprint: unknown;
  readonly now: Date;
}

/**
 * Runs a create at most once per (tenant, Idempotency-Key). The stored response is `redact`ed
 * first: secrets such as the invitation link are shown once and never kept, so a replay returns
 * the same record without them. A key reused with another body is refused with 422.
 */
export async function runIdempotent<T>(
  db: Kysely<Database>,
  request: IdempotencyRequest,
  run: (trx: Kysely<Database>) => Promise<{ status: number; body: T }>,
  redact: (body: T) => T,
  options: { readonly ownGroup?: boolean } = {},
): Promise<IdempotentResponse<T>> {
  // ownGroup: for a run that opens a savepoint per item (bulk), see ownGroup in #db.
  const begin = () => (options.ownGroup ? ownGroup(db) : db.transaction());
  if (request.key === undefined) {
    const result = await begin().execute(run);
    return { ...result, replayed: false };
  }
  const key = request.key;
  const requestHash = sha256Hex(JSON.stringify(request.fingerprint));
  const replay = await findReplay<T>(db, request.tenantId, key, requestHash, request.now);
  if (replay) return replay;
  try {
    const result = await begin().execute(async (trx) => {
      const produced = await run(trx);
      await trx
        .insertInto('idempotency_keys')
        .values({
          tenant_id: request.tenantId,
          key,
          request_hash: requestHash,
          status_code: produced.status,
          response: JSON.stringify(redact(produced.body)),
          created_at: isoTime(request.now),
        })
        .execute();
      return produced;
    });
    return { ...result, replayed: false };
  } catch (error) {
    // Another request with the same key committed first: answer as it did.
    if (isUniqueViolation(error)) {
      const raced = await findReplay<T>(db, request.tenantId, key, requestHash, request.now);
      if (raced) return raced;
    }
    throw error;
  }
}

async function findReplay<T>(
  db: Kysely<Database>,
  tenantId: string,
  key: string,
  requestHash: string,
  now: Date,
): Promise<IdempotentResponse<T> | null> {
  const stored = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!stored) return null;
  if (now.getTime() - Date.parse(stored.created_at) > IDEMPOTENCY_TTL_MS) {
    await db.deleteFrom('idempotency_keys').where('tenant_id', '=', tenantId).where('key', '=', key).execute();
    return null;
  }
  if (stored.request_hash !== requestHash) {
    throw invitationError(
      'idempotency_key_reused',
      'send a new Idempotency-Key for a different request',
      'header.idempotency-key',
    );
  }
  return { status: stored.status_code, body: JSON.parse(stored.response) as T, replayed: true };
}

/** Forgets keys older than the TTL. */
export async function pruneIdempotencyKeys(db: Kysely<Database>, now: Date): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', isoTime(new Date(now.getTime() - IDEMPOTENCY_TTL_MS)))
    .execute();
}
