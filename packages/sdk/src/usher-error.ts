import type { components } from './schema.js';

/** An RFC 9457 problem as Usher sends it: a stable `code` and, for bad input, the `field` at fault. */
export type Problem = components['schemas']['Problem'];

/** Thrown by `unwrap` when Usher answers with a problem (or something that is not one). */
export class UsherError extends Error {
  constructor(
    readonly status: number,
    /** The RFC 9457 body as Usher sent it; undefined when the answer was not a problem (a proxy's 502 page). */
    readonly problem: Problem | undefined,
  ) {
    super(messageOf(status, problem));
    this.name = 'UsherError';
  }

  /** The problem's stable code, e.g. `invitation_already_accepted`. */
  get code(): string | undefined {
    return this.problem?.code;
  }

  /** For bad input, the field at fault, e.g. `recipient.email`. */
  get field(): string | undefined {
    return this.problem?.field;
  }
}

/** The response's data, or an UsherError carrying the problem: for code that would rather throw than branch. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && error === undefined) return data as T;
  throw new UsherError(response.status, isProblem(error) ? error : undefined);
}

function messageOf(status: number, problem: Problem | undefined): string {
  if (!problem) return `HTTP ${status}`;
  return `${problem.code ?? problem.title}: ${problem.detail ?? problem.title} (HTTP ${status})`;
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}
