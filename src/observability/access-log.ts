import type { MiddlewareHandler } from 'hono';

/** One line per answered request. */
export interface RequestLogEntry {
  readonly requestId: string | undefined;
  readonly method: string;
  /** The route pattern (/i/:token), never the path: paths carry invitation tokens, which are secrets. */
  readonly route: string;
  readonly status: number;
  readonly ms: number;
}

/** Reports every request once it is answered, with the id the caller got in X-Request-Id. */
export function accessLog(log: (entry: RequestLogEntry) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    log({
      requestId: c.get('requestId') as string | undefined,
      method: c.req.method,
      route: c.req.routePath || 'unmatched',
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
