import { InvalidArgumentError } from 'commander';

/** For repeatable flags (`--rule a --rule b`): each value is added to the list. */
export const collect = (value: string, previous: readonly string[] = []): string[] => [...previous, value];

/** A whole number between `min` and `max`, for flags such as --limit and --batch-size. */
export function integerBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
    const parsed = Number(value);
    if (parsed < min || parsed > max) throw new InvalidArgumentError(`must be between ${min} and ${max}`);
    return parsed;
  };
}

/** An ISO-8601 time with an offset or Z, checked here so a typo is exit 2 rather than a server refusal. */
export function isoTime(value: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
    Number.isNaN(Date.parse(value))
  ) {
    throw new InvalidArgumentError(`expected an ISO-8601 time such as 2026-12-31T23:59:00Z, got "${value}"`);
  }
  return value;
}

/** Drops undefined values, so bodies and queries carry only what was given. */
export function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
