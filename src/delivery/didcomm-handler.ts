import type { OutboxRow } from '#db';
import { parseJson } from '#common/json';
import type { DeliveryHandler } from './worker';
import { postWebhook } from './webhooks/http-sender';

/** What a `didcomm.message` outbox row holds: an envelope already packed for its recipient, and where it goes. */
export interface DidcommOutboxPayload {
  readonly endpoint: string;
  /** The RFC 0019 envelope as JSON text: the outbox never holds a plaintext message. */
  readonly envelope: string;
  readonly messageType: string;
  readonly connectionId: string | null;
}

/** RFC 0025 §HTTP(S): envelopes are POSTed with this media type. */
const MEDIA_TYPE = 'application/didcomm-envelope-enc';

/**
 * Delivers packed DIDComm messages over HTTP, under the same address policy as webhooks (an
 * agent's endpoint is a URL someone else chose). A 4xx is the agent refusing the message:
 * retrying cannot change that, so it is final; no answer or a 5xx is retried.
 */
export function createDidcommHandler(options: {
  readonly allowPrivateNetwork: boolean;
  readonly timeoutMs?: number;
}): DeliveryHandler {
  return {
    async deliver(row: OutboxRow) {
      const payload = parseJson<DidcommOutboxPayload | null>(row.payload, null);
      if (!payload) return { outcome: 'skipped', error: 'unreadable payload' };
      const response = await postWebhook(
        payload.endpoint,
        payload.envelope,
        { 'content-type': MEDIA_TYPE },
        {
          timeoutMs: options.timeoutMs ?? 15_000,
          allowPrivateNetwork: options.allowPrivateNetwork,
        },
      );
      if (response.ok) return { outcome: 'sent', responseCode: response.status, response: response.body };
      const refused = response.status !== null && response.status >= 400 && response.status < 500;
      return {
        outcome: 'failed',
        permanent: refused,
        responseCode: response.status,
        response: response.body,
        error: response.error ?? `HTTP ${response.status}`,
      };
    },
  };
}
