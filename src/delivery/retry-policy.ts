/** When to try again after a failed attempt: a delay in ms, or null to give up. */
export type RetryPolicy = (attemptsMade: number, random?: () => number) => number | null;

export interface RetryPolicyOptions {
  /** Delay after the first failure. 1 s by default. */
  readonly initialDelayMs?: number;
  /** Growth per attempt. 2 by default. */
  readonly factor?: number;
  /** Cap on one delay. 1 hour by default. */
  readonly maxDelayMs?: number;
  /**
   * Attempts in all, the first included; then the delivery is failed. 10 by default (~8.5 min of retries before the cap
   * matters).
   */
  readonly maxAttempts?: number;
  /** ± share of the delay drawn at random, so retries of many rows do not arrive in lockstep. 0.2 by default. */
  readonly jitter?: number;
}

/** Exponential backoff with jitter, capped and bounded. Pure: the randomness is a parameter. */
export function createRetryPolicy(options: RetryPolicyOptions = {}): RetryPolicy {
  const { initialDelayMs = 1000, factor = 2, maxDelayMs = 3_600_000, maxAttempts = 10, jitter = 0.2 } = options;
  return (attemptsMade, random = Math.random) => {
    if (attemptsMade >= maxAttempts) return null;
    const base = Math.min(maxDelayMs, initialDelayMs * factor ** Math.max(0, attemptsMade - 1));
    const spread = base * jitter * (2 * random() - 1);
    return Math.max(0, Math.round(base + spread));
  };
}
