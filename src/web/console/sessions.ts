import type { Db } from '#db';
import { isoTime } from '#common/json';
import { hashSecret, newSecret } from '#common/secrets';
import { authenticateApiKey } from '#tenants';
import type { AuthContext } from '#http/auth';
import { keyRightsOf } from '#common/rights';

/** Sessions last a working day; signing in again is cheap. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

/** A live console session: who, and the CSRF token its forms must carry. */
export interface ConsoleSession extends AuthContext {
  readonly csrfToken: string;
}

/** Signs in with an API key; returns the cookie value (shown to the browser only) or null for a bad key. */
export async function signIn(
  db: Db,
  presentedKey: string,
  now: Date,
): Promise<{ cookie: string; session: ConsoleSession } | null> {
  const auth = await authenticateApiKey(db, presentedKey, now);
  if (!auth) return null;
  const cookie = newSecret();
  const csrfToken = newSecret();
  await db
    .insertInto('console_sessions')
    .values({
      id_hash: hashSecret(cookie),
      tenant_id: auth.tenantId,
      api_key_id: auth.apiKeyId,
      csrf_token: csrfToken,
      created_at: isoTime(now),
      expires_at: isoTime(new Date(now.getTime() + SESSION_TTL_MS)),
    })
    .execute();
  return { cookie, session: { ...auth, csrfToken } };
}

/** The session behind a cookie, or null when it is unknown, expired, or its key was revoked. */
export async function findSession(db: Db, cookie: string | undefined, now: Date): Promise<ConsoleSession | null> {
  if (!cookie || cookie.length > 100) return null;
  const row = await db
    .selectFrom('console_sessions')
    .innerJoin('api_keys', 'api_keys.id', 'console_sessions.api_key_id')
    .select([
      'console_sessions.tenant_id',
      'console_sessions.api_key_id',
      'console_sessions.csrf_token',
      'console_sessions.expires_at',
      'api_keys.revoked_at',
      'api_keys.operator',
      'api_keys.name',
    ])
    .select(['api_keys.scopes', 'api_keys.grantable_roles', 'api_keys.allowed_targets'])
    .where('console_sessions.id_hash', '=', hashSecret(cookie))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || Date.parse(row.expires_at) <= now.getTime()) return null;
  return {
    tenantId: row.tenant_id,
    apiKeyId: row.api_key_id,
    apiKeyName: row.name,
    operator: row.operator === 1,
    rights: keyRightsOf(row),
    csrfToken: row.csrf_token,
  };
}

/** Ends a session. */
export async function signOut(db: Db, cookie: string | undefined): Promise<void> {
  if (cookie) await db.deleteFrom('console_sessions').where('id_hash', '=', hashSecret(cookie)).execute();
}

/** Forgets expired sessions. */
export async function pruneSessions(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('console_sessions').where('expires_at', '<=', isoTime(now)).execute();
}
