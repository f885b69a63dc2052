import type { MiddlewareHandler } from 'hono';
import type { KeyQuota, KeyRights } from '#common/rights';
import { httpProblem } from './problem';

/** Who is calling: the tenant every query is scoped to, and the key used. */
export interface AuthContext {
  readonly tenantId: string;
  readonly apiKeyId: string;
  /** The key's name, for the audit trail's actor (absent where a caller builds a context by hand). */
  readonly apiKeyName?: string;
  /** Operator keys may also create tenants (the tenants:manage scope). */
  readonly operator: boolean;
  /** What the key may do, grant and name: every route checks its scope; the invitation service the rest. */
  readonly rights: KeyRights;
  /**
   * The key's own invitation quota (null: the tenant's default), as read when the request was authenticated, so a
   * create need not read the key again; absent where a context is built otherwise (the console's session).
   */
  readonly inviteQuota?: KeyQuota | null;
}

/** An authenticated key with what the edge needs before any route runs: the tenant's rate limit. */
export interface ApiKeyAuth extends AuthContext {
  /** Requests a minute the tenant may make; null: no limit. */
  readonly rateLimitPerMinute: number | null;
}

/** What the routers' context carries. */
export interface AppEnv {
  Variables: { auth: AuthContext };
}

/** Resolves a presented key to its tenant, or null for an unknown or revoked key. */
export type Authenticate = (presentedKey: string) => Promise<ApiKeyAuth | null>;

/**
 * The headers an API key may arrive in: the native Bearer form and the ones the seeds' systems
 * use (Proven and Unipile `x-api-key`, TrustTrace `tnt-subscription-key`), so their documented
 * requests work unmodified.
 */
export function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1]!.trim();
  }
  return headers.get('x-api-key')?.trim() || headers.get('tnt-subscription-key')?.trim() || undefined;
}

/** Counts a request against its tenant's budget. */
export type ConsumeRequest = (
  auth: ApiKeyAuth,
) => Promise<
  { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number; readonly limit: number }
>;

/**
 * Refuses requests without a valid key (401 problem) and sets `auth` for the rest; with
 * `consume`, a tenant past its rate limit gets 429 with Retry-After.
 */
export function requireApiKey(authenticate: Authenticate, consume?: ConsumeRequest): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = presentedKey(c.req.raw.headers);
    const auth = key ? await authenticate(key) : null;
    if (!auth) {
      return httpProblem(
        'unauthorized',
        key ? 'the API key is unknown or revoked' : 'send the key as "Authorization: Bearer <key>" or "x-api-key"',
        {
          field: 'header.authorization',
        },
      );
    }
    if (consume) {
      const decision = await consume(auth);
      if (!decision.allowed) {
        return httpProblem(
          'rate_limited',
          `at most ${decision.limit} requests a minute; try again in ${decision.retryAfterSeconds} s`,
          {},
          { 'retry-after': String(decision.retryAfterSeconds) },
        );
      }
    }
    const { tenantId, apiKeyId, apiKeyName, operator, rights, inviteQuota } = auth;
    c.set('auth', {
      tenantId,
      apiKeyId,
      ...(apiKeyName === undefined ? {} : { apiKeyName }),
      operator,
      rights,
      ...(inviteQuota === undefined ? {} : { inviteQuota }),
    });
    await next();
  };
}
