import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets carry this prefix before the base64 key (standardwebhooks.com, "Signature scheme"). */
const SECRET_PREFIX = 'whsec_';

/** The headers a Standard Webhooks receiver verifies. */
export interface WebhookSignatureHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes, the size the spec recommends. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/**
 * The `v1` signature of one message: base64 HMAC-SHA256, keyed with the secret's decoded bytes,
 * over `${msgId}.${timestamp}.${body}` (Standard Webhooks spec, "Signature scheme").
 */
export function signWebhook(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  if (!Number.isSafeInteger(timestampSeconds))
    throw new TypeError('timestampSeconds must be whole seconds since the epoch');
  // The key is the decoded bytes, not the text: receivers decode the same way.
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new TypeError('the webhook secret is empty');
  const mac = createHmac('sha256', key).update(`${msgId}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * The three signature headers for one attempt. Sign at send time: receivers refuse timestamps
 * more than five minutes old, so a retry needs a fresh one (the msgId stays, for deduplication).
 */
export function webhookHeaders(
  secret: string,
  msgId: string,
  timestampSeconds: number,
  body: string,
): WebhookSignatureHeaders {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': signWebhook(secret, msgId, timestampSeconds, body),
  };
}
