/**
 * Unipile's error shape: RFC 7807 members with Unipile's own `type` (errors/too_many_characters,
 * errors/resource_not_found, …), as its API documents them per status. Usher's stable `code`
 * (and `field`, for bad input) ride along, so the answer is also a problem+json like Usher's.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError } from '#common/errors';
import { fieldErrors } from '#http/validation';

/** Unipile error types this surface answers with, by Usher code: status, Unipile type, title. */
const TYPES = {
  validation_failed: [400, 'errors/invalid_parameters', 'Invalid parameters'],
  malformed_json: [400, 'errors/malformed_request', 'Malformed request'],
  too_many_characters: [400, 'errors/too_many_characters', 'Too many characters'],
  note_too_long: [400, 'errors/too_many_characters', 'Too many characters'],
  invalid_cursor: [400, 'errors/invalid_parameters', 'Invalid parameters'],
  account_not_found: [404, 'errors/resource_not_found', 'Resource not found.'],
  user_not_found: [404, 'errors/resource_not_found', 'Resource not found.'],
  invitation_not_found: [404, 'errors/resource_not_found', 'Resource not found.'],
  identity_disabled: [403, 'errors/account_restricted', 'Account restricted'],
  provider_user_not_found: [422, 'errors/invalid_recipient', 'Invalid recipient'],
  provider_self_invite: [422, 'errors/invalid_recipient', 'Invalid recipient'],
  provider_already_invited: [422, 'errors/already_invited_recently', 'Already invited recently'],
  invitation_not_pending: [422, 'errors/unprocessable_entity', 'Unprocessable entity'],
} as const satisfies Record<string, readonly [number, string, string]>;

export type UnipileCode = keyof typeof TYPES;

/** A refusal in Unipile's shape, thrown by the surface's service and answered by its error handler. */
export function unipileError(code: UnipileCode, detail: string, field?: string): AppError {
  const [status, , title] = TYPES[code];
  return new AppError(code, status, title, detail, field);
}

/**
 * The response for a refusal: Unipile's members, then Usher's code; codes Unipile has no type for keep Usher's problem
 * type and title.
 */
export function unipileProblem(
  code: string,
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  title = 'Request refused',
): Response {
  const known = TYPES[code as UnipileCode];
  const body = {
    ...extra,
    title: known?.[2] ?? title,
    detail,
    type: known?.[1] ?? `urn:usher:problem:${code}`,
    status,
    code,
  };
  // An invitation quota says when it frees a slot: the header too, as on the native API.
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (typeof extra.retryAfterSeconds === 'number') headers['retry-after'] = String(extra.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status, headers });
}

/** The validation hook of every Unipile route: 400 errors/invalid_parameters naming the field. */
export function unipileValidationHook(
  result: { success: true } | { success: false; error: ZodError; target?: string },
  _c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const target = result.target === 'query' || result.target === 'param' ? result.target : 'json';
  const errors = fieldErrors(result.error, target);
  return unipileProblem('validation_failed', 400, errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
    field: errors[0]?.field,
    errors,
  });
}

/**
 * The Unipile router's error handler: refusals in Unipile's shape, the core's codes mapped to
 * the type Unipile documents for them. Anything else goes on to the app's handler (logged, 500).
 */
export function unipileErrorHandler(error: Error, _c: Context): Response {
  if (error instanceof AppError) {
    const known = TYPES[error.code as UnipileCode];
    return unipileProblem(
      error.code,
      known?.[0] ?? error.status,
      error.message,
      { ...(error.extra ?? {}), ...(error.field ? { field: error.field } : {}) },
      error.title,
    );
  }
  // Hono's JSON validator refuses an unreadable body this way.
  if (error instanceof HTTPException && error.status === 400)
    return unipileProblem('malformed_json', 400, error.message);
  throw error;
}
