import { createRoute, z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import { auditOfKey, type AuditTrail } from '#audit';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { JwksSchema, SigningKeySchema } from './schemas';
import { listSigningKeys, publicJwks, rotateSigningKey } from './signing-keys';

/** What the acceptance-token routes need. */
export interface AcceptanceRoutesDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
}

const tags = ['Acceptance tokens'];

/** Verifiers may cache the key set this long; jose and most libraries refetch early on an unknown kid. */
const JWKS_CACHE_CONTROL = 'public, max-age=300';

const jwksRoute = createRoute({
  operationId: 'getJwks',
  method: 'get',
  path: '/.well-known/jwks.json',
  tags,
  summary: 'Public keys that verify acceptance tokens (RFC 7517 JWK Set)',
  responses: {
    200: {
      ...json(JwksSchema, 'The key set'),
      headers: { 'cache-control': { schema: { type: 'string', example: JWKS_CACHE_CONTROL } } },
    },
  },
});

const listRoute = createRoute({
  operationId: 'listSigningKeys',
  method: 'get',
  path: '/signing-keys',
  tags,
  ...requires('keys:manage'),
  summary: "List the tenant's acceptance-token signing keys (never their private halves)",
  responses: { 200: json(z.object({ data: z.array(SigningKeySchema) }), 'Keys, newest first'), ...problemsFor(401) },
});

const rotateRoute = createRoute({
  operationId: 'rotateSigningKey',
  method: 'post',
  path: '/signing-keys/rotate',
  tags,
  ...requires('keys:manage'),
  summary: 'Make a new signing key; the previous one retires but stays published for 30 days',
  responses: { 201: json(SigningKeySchema, 'The new active key'), ...problemsFor(401) },
});

/** `GET /.well-known/jwks.json`, public: mount at the root. */
export function createJwksRoutes({ db, clock }: AcceptanceRoutesDeps) {
  return createRouter().openapi(jwksRoute, async (c) => {
    c.header('cache-control', JWKS_CACHE_CONTROL);
    return c.json(await publicJwks(db, clock.now()), 200);
  });
}

/** The tenant's signing-key routes: mount under the authenticated `/v1`; each rotation goes on the audit trail. */
export function createSigningKeyRoutes({ db, clock, audit }: AcceptanceRoutesDeps & { readonly audit: AuditTrail }) {
  return createRouter()
    .openapi(listRoute, async (c) => c.json({ data: await listSigningKeys(db, c.var.auth.tenantId) }, 200))
    .openapi(rotateRoute, async (c) =>
      c.json(await rotateSigningKey(db, c.var.auth.tenantId, clock.now(), auditOfKey(audit, c.var.auth)), 201),
    );
}
