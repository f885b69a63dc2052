/** One entry of an error catalogue: the HTTP status and a human title for the problem type. */
export interface ErrorSpec {
  readonly status: number;
  readonly title: string;
}

/** Declares a capability's error catalogue; the keys are the stable codes clients match on. */
export function defineErrors<const T extends Record<string, ErrorSpec>>(catalogue: T): Readonly<T> {
  return Object.freeze(catalogue);
}

/**
 * A refusal with a stable code, raised by services and turned into problem+json in one place
 * (`http/problem.ts`). `field` names the offending input where there is one.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly field?: string,
    readonly extra?: Readonly<Record<string, unknown>>,
  ) {
    super(detail ?? title);
    this.name = 'AppError';
  }
}

/** Builds a thrower for one catalogue: `fail('invitation_expired', 'detail', 'field')`. */
export function errorFactory<T extends Record<string, ErrorSpec>>(catalogue: T) {
  return (code: keyof T & string, detail?: string, field?: string, extra?: Record<string, unknown>): AppError => {
    const spec = catalogue[code]!;
    return new AppError(code, spec.status, spec.title, detail, field, extra);
  };
}

/** What to say about anything thrown: an Error's message, else its text (a library may throw a string). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
