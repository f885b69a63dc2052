import { defineErrors } from '#common/errors';

/**
 * Refusals of anonymous callers. `rate_limited` is the code a tenant over its API budget gets too:
 * a client handles both alike, by waiting `Retry-After` seconds.
 */
export const limitErrors = defineErrors({
  rate_limited: { status: 429, title: 'Too many requests from this client' },
});
