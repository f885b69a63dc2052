/** Parses a JSON column, falling back when it is null (old rows, optional columns). */
export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

/** An ISO-8601 UTC timestamp with milliseconds: the one form every stored time takes. */
export function isoTime(date: Date): string {
  return date.toISOString();
}
