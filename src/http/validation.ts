import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { httpProblem, type FieldError } from './problem';

type Target = 'json' | 'query' | 'param' | 'header' | 'cookie' | 'form';

const PREFIX: Record<Target, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
  form: 'body',
};

/** Turns a zod error into field errors with paths such as `body.target.iri` or `query.limit`. */
export function fieldErrors(error: ZodError, target: Target): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [PREFIX[target], ...issue.path.map(String)].join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ field: `${base}.${key}`, code: 'unknown_field', message: `unknown field "${key}"` });
      continue;
    }
    errors.push({ field: base, code: issue.code, message: issue.message });
  }
  return errors;
}

/** The validation hook every router uses: a 400 problem naming the first offending field. */
export function validationHook(
  result: { success: true } | { success: false; error: ZodError; target?: Target },
  _c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const errors = fieldErrors(result.error, result.target ?? 'json');
  return httpProblem('validation_failed', errors.map((e) => `${e.field}: ${e.message}`).join('; '), {
    field: errors[0]?.field,
    errors,
  });
}

/** For PATCH bodies: an empty patch is a mistake, not a request to bump updatedAt. */
export const atLeastOneField = (patch: Record<string, unknown>): boolean =>
  Object.values(patch).some((v) => v !== undefined);
export const atLeastOneFieldMessage = 'give at least one field to change';
