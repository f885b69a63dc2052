import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { AppError, defineErrors } from '#common/errors';
import { isDatabaseUnavailable } from '#db';

/** Seconds a client is asked to wait when the database is unavailable: about what a PostgreSQL restart takes. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Problems raised by the HTTP layer itself, before any capability sees the request. */
export const httpErrors = defineErrors({
  validation_failed: { status: 400, title: 'The request is not valid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  malformed_form: { status: 400, title: 'The request body is not a readable form' },
  invalid_encoding: { status: 400, title: 'The request body is not valid UTF-8' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  body_too_large: { status: 413, title: 'The request body is too large' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  rate_limited: { status: 429, title: 'Too many requests for this tenant' },
  forbidden: { status: 403, title: 'This key may not do that' },
  not_found: { status: 404, title: 'No such resource' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  internal_error: { status: 500, title: 'Internal server error' },
  database_unavailable: { status: 503, title: 'The database is unavailable; try again shortly' },
});

/** One invalid input: where it is and what is wrong with it. */
export interface FieldError {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** The RFC 9457 body Usher sends for every refusal. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  field?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** Builds a problem+json response; `type` is a stable URN per code. */
export function problemResponse(problem: Omit<Problem, 'type'>, headers: Record<string, string> = {}): Response {
  const body = { type: `urn:usher:problem:${problem.code}`, ...problem } as Problem;
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Turns an AppError into problem+json; a `retryAfterSeconds` extension is also sent as Retry-After. */
export function appErrorResponse(error: AppError): Response {
  const retryAfter = error.extra?.retryAfterSeconds;
  // Extensions go first so they can never replace a standard member such as `status`.
  return problemResponse(
    {
      ...(error.extra ?? {}),
      title: error.title,
      status: error.status,
      code: error.code,
      detail: error.message,
      ...(error.field ? { field: error.field } : {}),
    },
    typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {},
  );
}

/** Problem for one of the HTTP layer's own codes. */
export function httpProblem(
  code: keyof typeof httpErrors,
  detail?: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): Response {
  const spec = httpErrors[code];
  return problemResponse(
    { ...extra, title: spec.title, status: spec.status, code, ...(detail ? { detail } : {}) },
    headers,
  );
}

/**
 * The one place where thrown errors become responses; unknown errors are logged and hidden. A
 * database that is down, restarting or full is the server's condition, not a bug: 503 with
 * Retry-After (logged too, so the operator sees why), and the same request can simply be sent again.
 */
export function handleError(error: Error, c: Context, log: (error: unknown) => void): Response {
  if (error instanceof AppError) return appErrorResponse(error);
  if (error instanceof HTTPException) {
    if (error.status === 413) return httpProblem('body_too_large');
    if (error.status === 415)
      return httpProblem('unsupported_media_type', 'send the body as application/json', {
        field: 'header.content-type',
      });
    if (error.status === 400 && /json/i.test(error.message)) return httpProblem('malformed_json', error.message);
    if (error.status === 401) return httpProblem('unauthorized');
    return problemResponse({
      title: error.message || 'Request refused',
      status: error.status,
      code: `http_${error.status}`,
    });
  }
  log(error);
  if (isDatabaseUnavailable(error)) {
    const detail = 'the database cannot serve requests now (down, restarting or out of space); retry after Retry-After';
    return httpProblem('database_unavailable', detail, {}, { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
  }
  return httpProblem('internal_error', `request ${c.req.method} ${c.req.path} failed; the server log has the details`);
}
