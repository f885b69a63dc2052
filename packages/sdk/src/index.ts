import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import { retryingFetch, type RetryOptions } from './retrying-fetch.js';
import type { components, paths } from './schema.js';

export type * from './schema.js';
export type { paths, components } from './schema.js';

/** Every named schema of the API, e.g. `Schemas['Invitation']`. */
export type Schemas = components['schemas'];
/** An RFC 9457 problem as Usher sends it: a stable `code` and, for bad input, the `field` at fault. */
export type Problem = Schemas['Problem'];

export interface UsherClientOptions {
  /** Where Usher runs, e.g. `https://usher.example.com` (the paths carry `/v1`). */
  readonly baseUrl: string;
  /** A tenant API key; sent as `Authorization: Bearer`. Public routes work without one. */
  readonly apiKey?: string;
  /** Headers for every request, e.g. a User-Agent. */
  readonly headers?: Record<string, string>;
  /** A fetch to use instead of the global one (tests, proxies, an in-process app's `request`). */
  readonly fetch?: ClientOptions['fetch'];
  /**
   * Retries on 429, 5xx and connection errors (reads and the invitation creates, which get an Idempotency-Key
   * of their own if the call set none, so a retried create never invites twice); `false` sends each request once.
   */
  readonly retry?: RetryOptions | false;
}

/** The typed client: `client.GET('/v1/invitations', { params: { query: { status: 'pending' } } })`. */
export type UsherClient = Client<paths>;

/** A typed client for one Usher and one tenant key. Every path, parameter and body is checked against the OpenAPI document. */
export function createUsherClient(options: UsherClientOptions): UsherClient {
  const fetchOnce = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const fetch = options.retry === false ? fetchOnce : retryingFetch(fetchOnce, options.retry);
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch, headers: options.headers });
  if (options.apiKey) {
    const authorization = `Bearer ${options.apiKey}`;
    client.use({
      onRequest({ request }) {
        request.headers.set('authorization', authorization);
        return request;
      },
    });
  }
  return client;
}

/** Thrown by `unwrap` when Usher answers with a problem (or something that is not one). */
export class UsherError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${problem.code ?? problem.title}: ${problem.detail ?? problem.title} (HTTP ${status})` : `HTTP ${status}`);
    this.name = 'UsherError';
  }

  /** The problem's stable code, e.g. `invitation_already_accepted`. */
  get code(): string | undefined {
    return this.problem?.code;
  }
}

/** The response's data, or an UsherError carrying the problem: for code that would rather throw than branch. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (response.ok && error === undefined) return data as T;
  throw new UsherError(response.status, isProblem(error) ? error : undefined);
}

function isProblem(value: unknown): value is Problem {
  return typeof value === 'object' && value !== null && 'status' in value && 'title' in value;
}

export type { RetryOptions } from './retrying-fetch.js';
export { verifyWebhook, WebhookVerificationError, type VerifyWebhookOptions } from './verify-webhook.js';
export {
  verifyAcceptanceToken,
  AcceptanceTokenError,
  type AcceptanceTokenClaims,
  type VerifyAcceptanceTokenOptions,
} from './verify-acceptance-token.js';
