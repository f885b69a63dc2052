import type { z } from 'zod';
import { AppError } from '#common/errors';

/** A form's outcome: the parsed value, or a readable message per field name (`recipient.email`). */
export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

/** Validates with the same schema the API uses, so the console and the API refuse the same input. */
export function validateForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.') || '_form';
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Turns a service refusal into a message on the field it names (`body.purpose` → `purpose`), else on the form. */
export function refusalErrors(error: unknown): Record<string, string> {
  if (!(error instanceof AppError)) throw error;
  const field = error.field?.replace(/^(body|query|path)\./, '') ?? '_form';
  return { [field]: error.message === error.title ? error.title : `${error.title}: ${error.message}` };
}

/** Trimmed text, or undefined when empty: what optional form fields mean. */
export const optional = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();
