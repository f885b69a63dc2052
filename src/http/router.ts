import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './auth';
import { requireJsonBody } from './input-guards';
import { validationHook } from './validation';

/**
 * A router whose validation failures are problem+json naming the field at fault, and whose
 * routes with a required body refuse a request that has none.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
  const register = router.openapi.bind(router);
  // The route config is generic in a way TypeScript cannot follow through this wrapper.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  router.openapi = ((route: any, handler: any, hook?: any) => {
    const needsBody = route.request?.body?.required === true;
    const middleware = route.middleware ? [route.middleware].flat() : [];
    return register(needsBody ? { ...route, middleware: [requireJsonBody, ...middleware] } : route, handler, hook);
  }) as typeof router.openapi;
  return router;
}
