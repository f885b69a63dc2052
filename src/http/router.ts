import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './auth';
import { validationHook } from './validation';

/** A router whose validation failures are problem+json naming the field at fault. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook as never });
}
