import { isWebhookEventType, type WebhookEventSelector } from './event-types';
import { webhookError } from './errors';

/** The longest endpoint URL accepted. */
export const ENDPOINT_URL_MAX_LENGTH = 2048;

/**
 * Why a URL cannot be a webhook endpoint, or null when it can: absolute http(s), no credentials
 * (the sender refuses them), at most 2048 characters. Whether its host is public is judged at
 * send time, on the address actually connected to.
 */
export function endpointUrlProblem(url: string): string | null {
  if (url.length > ENDPOINT_URL_MAX_LENGTH) return `at most ${ENDPOINT_URL_MAX_LENGTH} characters`;
  // WHATWG URL parsing forgives "http:host" and surrounding spaces; a stored endpoint should not need forgiving.
  if (!/^https?:\/\/[^\s]+$/i.test(url)) return 'an absolute http:// or https:// URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'an absolute http:// or https:// URL';
  }
  if (parsed.hostname === '') return 'a URL with a host';
  if (parsed.username !== '' || parsed.password !== '')
    return 'a URL without credentials; authenticate deliveries by their signature';
  return null;
}

/** Checks a URL for a service caller (the API checks the same rule in its schema); throws webhook_url_invalid. */
export function assertEndpointUrl(url: string): void {
  const problem = endpointUrlProblem(url);
  if (problem) throw webhookError('webhook_url_invalid', `url must be ${problem}`, 'body.url');
}

/** A subscription's event list, checked and deduplicated; `"*"` absorbs the rest. Throws webhook_events_invalid. */
export function normalizeEvents(events: readonly string[]): WebhookEventSelector[] {
  if (events.length === 0)
    throw webhookError('webhook_events_invalid', 'subscribe to at least one event type, or "*"', 'body.events');
  const unknown = events.find((e) => e !== '*' && !isWebhookEventType(e));
  if (unknown !== undefined)
    throw webhookError('webhook_events_invalid', `unknown event type "${unknown}"`, 'body.events');
  if (events.includes('*')) return ['*'];
  return [...new Set(events)] as WebhookEventSelector[];
}
