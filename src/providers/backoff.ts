/** Pure pieces of the connector's retry policy: reading Retry-After and the backoff between attempts. */

/**
 * Retry-After (RFC 9110 §10.2.3) in milliseconds from `now`: delay-seconds or an HTTP-date; null when absent or
 * unreadable.
 */
export function retryAfterMs(header: string | undefined, now: Date): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** Options of the backoff: first delay, cap, and ± jitter as a fraction. */
export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
}

/** The wait before retry number `attempt` (1 for the first retry): doubling from the base, capped, with jitter. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const plain = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(plain * (1 + options.jitter * (2 * random() - 1)));
}

/** Whether an HTTP status (or no answer at all) is worth trying again: throttling, timeouts and server errors. */
export function isRetryableStatus(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}
