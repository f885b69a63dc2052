/**
 * Request ids: a caller's `X-Request-Id` (when it is a sane token) or a fresh one, echoed on the response and given to
 * logs.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Sets `requestId` on the context and `X-Request-Id` on the response. */
export function requestId(): MiddlewareHandler<{ Variables: { requestId: string } }> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && SANE.test(given) ? given : randomUUID();
    c.set('requestId', id);
    await next();
    c.res.headers.set('x-request-id', id);
  };
}
