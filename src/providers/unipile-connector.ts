/**
 * A connector for Unipile-compatible APIs (Unipile itself, or another Usher's Unipile surface):
 * GET /api/v1/users/{identifier}, POST /api/v1/users/invite, GET and DELETE /api/v1/users/invite/sent,
 * each with the account's X-API-KEY and account_id. 429 and 5xx are retried in place with backoff
 * (Retry-After first) as long as the wait stays short; past that, the failure says how long to wait.
 */
import { backoffDelay, isRetryableStatus, retryAfterMs, type BackoffOptions } from './backoff';
import type { ConnectorFailure, ConnectorResult, ListedInvitation, ProviderConnector } from './connector';
import { requestJson } from './http';

/** Where and as whom to call. */
export interface UnipileAccount {
  /** host[:port] (https is assumed) or a full http(s) base URL. */
  readonly dsn: string;
  readonly apiKey: string;
  readonly accountId: string;
}

/** Transport and retry settings; the defaults suit a worker whose claims last a minute. */
export interface UnipileConnectorOptions extends Partial<BackoffOptions> {
  readonly allowPrivateNetwork: boolean;
  readonly timeoutMs?: number;
  /** Attempts per call, the first included. 4 by default. */
  readonly maxAttempts?: number;
  /** The longest total wait spent retrying in place. 20 s by default. */
  readonly maxWaitMs?: number;
  readonly random?: () => number;
  readonly now?: () => Date;
}

/** The base URL a DSN stands for. */
export function baseUrlOf(dsn: string): string {
  return (/^https?:\/\//i.test(dsn) ? dsn : `https://${dsn}`).replace(/\/+$/, '');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function failureOf(
  status: number | null,
  body: string,
  error: string | null,
  retryAfter: number | null,
): ConnectorFailure {
  let parsed: { type?: unknown; detail?: unknown; title?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Not JSON: the status and the start of the text say enough.
  }
  const type = typeof parsed.type === 'string' ? parsed.type : null;
  const detail =
    error ??
    (typeof parsed.detail === 'string'
      ? parsed.detail
      : typeof parsed.title === 'string'
        ? parsed.title
        : body.slice(0, 200) || `HTTP ${status}`);
  return { ok: false, status, type, detail, retryable: isRetryableStatus(status), retryAfterMs: retryAfter };
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Builds the connector for one account. */
export function createUnipileConnector(account: UnipileAccount, options: UnipileConnectorOptions): ProviderConnector {
  const base = baseUrlOf(account.dsn);
  const maxAttempts = options.maxAttempts ?? 4;
  const maxWaitMs = options.maxWaitMs ?? 20_000;
  const backoff = {
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8_000,
    jitter: options.jitter ?? 0.2,
  };
  const now = options.now ?? (() => new Date());

  /** One call with its retries; `read` turns a 2xx JSON body into the value. */
  async function call<T>(
    method: string,
    path: string,
    query: Record<string, string | undefined>,
    body: unknown,
    // The connector's JSON is untyped until `read` checks it field by field.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    read: (json: any) => T | undefined,
  ): Promise<ConnectorResult<T>> {
    const search = new URLSearchParams(
      Object.entries({ ...query, account_id: account.accountId }).filter(
        (e): e is [string, string] => e[1] !== undefined,
      ),
    );
    const url = `${base}${path}?${search}`;
    let waited = 0;
    for (let attempt = 1; ; attempt++) {
      const answer = await requestJson(method, url, { 'X-API-KEY': account.apiKey }, body, {
        timeoutMs: options.timeoutMs ?? 15_000,
        allowPrivateNetwork: options.allowPrivateNetwork,
      });
      const status = answer.ok ? answer.status : null;
      if (answer.ok && status! >= 200 && status! < 300) {
        let value: T | undefined;
        try {
          value = read(answer.body ? JSON.parse(answer.body) : null);
        } catch {
          // unreadable: reported below
        }
        if (value === undefined)
          return {
            ok: false,
            status,
            type: null,
            detail: `the provider's answer is not what ${method} ${path} returns`,
            retryable: false,
            retryAfterMs: null,
          };
        return { ok: true, status: status!, value };
      }
      const asked = answer.ok ? retryAfterMs(answer.headers['retry-after'], now()) : null;
      const failure =
        answer.ok || !answer.refused
          ? failureOf(status, answer.ok ? answer.body : '', answer.ok ? null : answer.error, asked)
          : { ...failureOf(null, '', answer.error, null), retryable: false, refused: true };
      if (!failure.retryable || attempt >= maxAttempts) return failure;
      const delay = asked ?? backoffDelay(attempt, backoff, options.random);
      // Waiting longer here would hold the outbox claim; the outbox retries later instead.
      if (waited + delay > maxWaitMs) return { ...failure, retryAfterMs: delay };
      await sleep(delay);
      waited += delay;
    }
  }

  return {
    resolveUser: (identifier) =>
      call('GET', `/api/v1/users/${encodeURIComponent(identifier)}`, {}, undefined, (json) =>
        typeof json?.provider_id === 'string'
          ? {
              provider: text(json.provider) ?? 'UNKNOWN',
              providerId: json.provider_id,
              publicIdentifier: text(json.public_identifier),
              firstName: text(json.first_name),
              lastName: text(json.last_name),
            }
          : undefined,
      ),
    invite: ({ providerId, message }) =>
      call(
        'POST',
        '/api/v1/users/invite',
        {},
        { provider_id: providerId, account_id: account.accountId, ...(message ? { message } : {}) },
        (json) =>
          typeof json?.invitation_id === 'string'
            ? { invitationId: json.invitation_id, usage: typeof json.usage === 'number' ? json.usage : null }
            : undefined,
      ),
    listSent: (page = {}) =>
      call(
        'GET',
        '/api/v1/users/invite/sent',
        { cursor: page.cursor, limit: page.limit?.toString() },
        undefined,
        (json) =>
          Array.isArray(json?.items)
            ? { items: (json.items as unknown[]).map(listed), cursor: text(json.cursor) }
            : undefined,
      ),
    withdraw: (invitationId) =>
      call('DELETE', `/api/v1/users/invite/sent/${encodeURIComponent(invitationId)}`, {}, undefined, () => null),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one item of the provider's untyped list, read field by field
function listed(item: any): ListedInvitation {
  return {
    id: String(item?.id ?? ''),
    invitedUserId: text(item?.invited_user_id),
    invitedUserPublicId: text(item?.invited_user_public_id),
    invitedUser: text(item?.invited_user),
    date: text(item?.parsed_datetime) ?? text(item?.date),
    text: text(item?.invitation_text),
  };
}
