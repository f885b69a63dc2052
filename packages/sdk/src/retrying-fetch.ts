export interface RetryOptions {
  /** Attempts after the first; 2 by default. */
  readonly retries?: number;
  /** The first backoff, doubled per attempt with full jitter; 250 ms by default. */
  readonly baseDelayMs?: number;
  /** No wait, Retry-After included, is longer than this; 20 s by default. */
  readonly maxDelayMs?: number;
}

type Fetch = (request: Request) => Promise<Response>;

const RETRIED_STATUSES = new Set([429, 500, 502, 503, 504]);
/** The creates that honour Idempotency-Key: they get one if the caller set none, so a retry replays, not repeats. */
const IDEMPOTENT_CREATES = /\/v1\/invitations(\/bulk)?\/?$/;

/**
 * A fetch that retries what is safe to retry: reads (GET, HEAD, PUT, DELETE, OPTIONS) and the idempotent creates on
 * 429, 5xx and connection errors; any other POST only on 429, which says the request was not processed. Waits as
 * Retry-After says, else exponential backoff with jitter.
 */
export function retryingFetch(fetchOnce: Fetch, options: RetryOptions = {}): Fetch {
  const retries = options.retries ?? 2;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 20_000;
  return async (request) => {
    const post = request.method === 'POST';
    const create = post && IDEMPOTENT_CREATES.test(new URL(request.url).pathname);
    if (create && !request.headers.has('idempotency-key')) {
      // One key for every attempt of this call: the server runs the create at most once for it.
      request.headers.set('idempotency-key', crypto.randomUUID());
    }
    const safe = !post || create;
    for (let attempt = 0; ; attempt += 1) {
      const backoff = Math.random() * baseDelayMs * 2 ** attempt;
      let response: Response;
      try {
        response = await fetchOnce(attempt < retries ? request.clone() : request);
      } catch (error) {
        if (!safe || attempt >= retries) throw error;
        await sleep(Math.min(backoff, maxDelayMs));
        continue;
      }
      const retryable = safe ? RETRIED_STATUSES.has(response.status) : response.status === 429;
      if (!retryable || attempt >= retries) return response;
      const asked = retryAfterMs(response.headers.get('retry-after'));
      await response.body?.cancel();
      await sleep(Math.min(asked ?? backoff, maxDelayMs));
    }
  };
}

/** Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms; null when absent or unreadable. */
function retryAfterMs(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
