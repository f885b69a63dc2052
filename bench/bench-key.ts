/**
 * The bench tenant's admin key, apart from usher-process.ts so that the seeder (which tests use
 * too) does not bring in the bench's child-process handling and its signal handlers.
 */

/** USHER_BOOTSTRAP_API_KEY needs 24+ characters. */
export const BENCH_API_KEY = 'usher-bench-key-0123456789abcdefghij';

/** Headers of an authenticated JSON request as the bench sends them. */
export const AUTH_HEADERS = { authorization: `Bearer ${BENCH_API_KEY}`, 'content-type': 'application/json' } as const;
