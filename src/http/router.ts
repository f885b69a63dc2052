import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './auth';
import { requireJsonBody } from './input-guards';
import { problems } from './responses';
import { requireScope, SCOPE_EXTENSION, scopeSentence, type RouteScope } from './scopes';
import { validationHook } from './validation';

/**
 * A router whose validation failures are problem+json naming the field at fault, whose routes
 * with a required body refuse a request that has none, and whose routes declaring a scope
 * (`requires(scope)`) refuse a key without it (403 `scope_missing`, before the body is read) and
 * say so in their description: the one place scopes are checked.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
  const register = router.openapi.bind(router);
  // The route config is generic in a way TypeScript cannot follow through this wrapper.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  router.openapi = ((route: any, handler: any, hook?: any) => {
    const needsBody = route.request?.body?.required === true;
    const scope = route[SCOPE_EXTENSION] as RouteScope | undefined;
    const middleware = [
      ...(scope && scope !== 'any' ? [requireScope(scope)] : []),
      ...(needsBody ? [requireJsonBody] : []),
      ...(route.middleware ? [route.middleware].flat() : []),
    ];
    const description = scope
      ? [route.description, scopeSentence(scope)].filter(Boolean).join('\n\n')
      : route.description;
    const responses = scope && scope !== 'any' ? { [403]: problems[403], ...route.responses } : route.responses;
    return register({ ...route, ...(description ? { description } : {}), middleware, responses }, handler, hook);
  }) as typeof router.openapi;
  return router;
}
