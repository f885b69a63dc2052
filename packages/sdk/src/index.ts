import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import { retryingFetch, type RetryOptions } from './retrying-fetch.js';
import type { components, paths } from './schema.js';

export type * from './schema.js';
export type { paths, components } from './schema.js';

/** Every named schema of the API, e.g. `Schemas['Invitation']`. */
export type Schemas = components['schemas'];

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

/** A typed client for one Usher and one tenant key; every path, parameter and body is checked against the API. */
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

export { UsherError, unwrap, type Problem } from './usher-error.js';
export { paginate, type Page } from './paginate.js';

export type { RetryOptions } from './retrying-fetch.js';
export { verifyWebhook, WebhookVerificationError, type VerifyWebhookOptions } from './verify-webhook.js';
export {
  verifyAcceptanceToken,
  AcceptanceTokenError,
  type AcceptanceTokenClaims,
  type VerifyAcceptanceTokenOptions,
} from './verify-acceptance-token.js';
