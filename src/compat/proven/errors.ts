/**
 * Proven's error shapes: `{ error }` for 400, 404 and 500 (and `{ warning }` for a missing
 * invitation by id, which the route answers itself). Usher's stable `code` rides along, an
 * extra member Proven's schemas allow. The core's refusals keep their meaning: not found is
 * 404, every other refusal (409 taken purpose, 410 gone, 422 unreadable URL) is Proven's 400.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { AppError, defineErrors, errorFactory } from '#common/errors';
import { fieldErrors } from '#http/validation';
import { appErrorResponse } from '#http/problem';
import { provenFieldName, type ProvenOperation } from './field-names';

/** Refusals of the Proven surface itself; the core's own codes pass through. */
export const provenErrors = defineErrors({
  validation_failed: { status: 400, title: 'The request is not valid' },
});

/** Throws a Proven refusal: `provenError('validation_failed', 'detail', 'uses_allowed')`. */
export const provenError = errorFactory(provenErrors);

/**
 * A zod failure as one line naming each field, e.g. `page-size: Too small: expected number to be >=1`.
 * With an operation, the paths are the native schema's and are renamed to Proven's; without, they
 * already are Proven's (a Proven body or query) and only lose their location prefix.
 */
export function describeIssues(
  error: ZodError,
  target: 'json' | 'query' | 'param',
  operation?: ProvenOperation,
): string {
  return fieldErrors(error, target)
    .map(
      (e) =>
        `${operation ? provenFieldName(e.field, operation) : e.field.replace(/^(body|query|path)\./, '')}: ${e.message}`,
    )
    .join('; ');
}

const operationOf = (c: Context): ProvenOperation => (c.req.method === 'PUT' ? 'update' : 'create');

/** The validation hook of every Proven route: 400 `{ error }`, nothing changed. */
export function provenValidationHook(
  result: { success: true } | { success: false; error: ZodError; target?: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const target = result.target === 'query' || result.target === 'param' ? result.target : 'json';
  return c.json({ error: describeIssues(result.error, target), code: 'validation_failed' }, 400);
}

/** What a refusal says, under Proven's field name when it names one. */
function messageOf(error: AppError, c: Context): string {
  // This surface's own refusals say it all in the detail; the core's read best as title (detail).
  const detail =
    error.code === 'validation_failed' || error.message === error.title
      ? error.message
      : `${error.title} (${error.message})`;
  return error.field ? `${provenFieldName(error.field, operationOf(c))}: ${detail}` : detail;
}

/**
 * The Proven router's error handler. Anything that is not a refusal is thrown on to the app's
 * handler, which logs it and answers 500: this surface has no logger of its own.
 */
export function provenErrorHandler(error: Error, c: Context): Response {
  // A key acting beyond its rights or its invitation quota is refused as on every surface (403 or 429
  // problem+json, like the shared layers' 401 and 429): Proven documents neither, and a 400 would read
  // as a bad request, one that no Retry-After could fix.
  if (error instanceof AppError && (error.status === 403 || error.status === 429)) return appErrorResponse(error);
  if (error instanceof AppError) {
    const status = error.code === 'invitation_not_found' ? 404 : error.status < 500 ? 400 : 500;
    return c.json({ error: messageOf(error, c), code: error.code }, status);
  }
  // Hono's JSON validator refuses an unreadable body this way.
  if (error instanceof HTTPException && error.status === 400)
    return c.json({ error: error.message, code: 'malformed_json' }, 400);
  throw error;
}
