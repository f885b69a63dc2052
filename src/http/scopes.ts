import type { MiddlewareHandler } from 'hono';
import { assertScope, type Scope } from '#common/rights';
import type { AppEnv } from './auth';
import { apiKeySecurity } from './responses';

/** What an authenticated route needs: a scope, or any valid key (`any`: reading one's own tenant). */
export type RouteScope = Scope | 'any';

/** The extension member of an operation that names its scope in /openapi.json; the router enforces it. */
export const SCOPE_EXTENSION = 'x-usher-scope';

/**
 * Spread into an authenticated route: its security requirement (the scope as the requirement's role,
 * as OpenAPI 3.1 allows for non-OAuth schemes) and `x-usher-scope`, which `createRouter` turns into
 * the check and a sentence of the operation's description.
 */
export function requires(scope: RouteScope): {
  security: Array<Record<string, string[]>>;
  [SCOPE_EXTENSION]: RouteScope;
} {
  const roles = scope === 'any' ? [] : [scope];
  return {
    security: apiKeySecurity.map((requirement) =>
      Object.fromEntries(Object.keys(requirement).map((name) => [name, roles])),
    ),
    [SCOPE_EXTENSION]: scope,
  };
}

/** Refuses with 403 `scope_missing` unless the calling key has the scope. */
export function requireScope(scope: Scope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    assertScope(c.var.auth.rights, scope);
    await next();
  };
}

/** The sentence an operation's description ends with. */
export const scopeSentence = (scope: RouteScope): string =>
  scope === 'any' ? 'Any valid API key may call this.' : `Needs the \`${scope}\` scope.`;
