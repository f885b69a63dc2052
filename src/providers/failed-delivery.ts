/** How a provider's refusal is stored as a delivery's result, for sends and withdrawals alike. */
import type { DeliveryHandler } from '#delivery';
import type { ConnectorFailure } from './connector';

type Result = Awaited<ReturnType<DeliveryHandler['deliver']>>;

/**
 * A failed call as the outbox keeps it: the provider's status, error type and words; final when
 * retrying cannot help (its 4xx), otherwise retried by the policy, not before its Retry-After.
 */
export function failedDelivery(failure: ConnectorFailure): Result {
  const said = failure.type ? `${failure.type}: ${failure.detail}` : failure.detail;
  return {
    outcome: 'failed',
    permanent: !failure.retryable,
    responseCode: failure.status,
    response: JSON.stringify({ type: failure.type, detail: failure.detail }),
    error: failure.status === null ? said : `HTTP ${failure.status} ${said}`,
    ...(failure.retryAfterMs !== null ? { retryAfterMs: failure.retryAfterMs } : {}),
  };
}
