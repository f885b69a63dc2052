import { z } from '@hono/zod-openapi';

/** RFC 9457 problem details as Usher sends them. */
export const ProblemSchema = z
  .object({
    type: z.string().describe('urn:usher:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable code.'),
    detail: z.string().optional(),
    field: z.string().optional().describe('The first offending input, e.g. body.email or query.limit.'),
    errors: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** A JSON response entry for an OpenAPI route. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** Problem responses by status, to spread into a route's `responses`. */
export const problems = {
  400: problem('Invalid input; `field` names it.'),
  401: problem('Missing, unknown or revoked API key.'),
  403: problem('The key may not do that.'),
  404: problem('Not found in this tenant.'),
  409: problem('Conflicts with the current state.'),
  410: problem('Gone: expired, revoked, declined or spent; `code` says which.'),
  413: problem('Body too large.'),
  422: problem('Idempotency-Key reused with another body, or a request that cannot apply.'),
  429: {
    ...problem('Too many requests from this client (`rate_limited`); wait `Retry-After` seconds.'),
    headers: {
      'Retry-After': { description: 'Seconds until the window ends.', schema: { type: 'integer' } },
      RateLimit: {
        description: 'draft-ietf-httpapi-ratelimit-headers: `"public";r=0;t=<seconds>`.',
        schema: { type: 'string' },
      },
      'RateLimit-Policy': { description: 'The policy: `"public";q=<requests>;w=60`.', schema: { type: 'string' } },
    },
  },
} as const;

/** Picks problem responses for a route. */
export function problemsFor<const S extends keyof typeof problems>(...statuses: S[]): Pick<typeof problems, S> {
  return Object.fromEntries(statuses.map((s) => [s, problems[s]])) as Pick<typeof problems, S>;
}

/** The security requirement every authenticated route declares. */
export const apiKeySecurity: Array<Record<string, string[]>> = [{ bearer: [] }, { apiKey: [] }];
