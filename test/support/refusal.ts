import { AppError } from '#common/errors';

/** The code a refusal carries; fails the test on success or on an untyped error. */
export function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}
