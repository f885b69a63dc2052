/**
 * Receiving what a mediator holds for us (Aries RFC 0685 Pickup 2.0, Usher as the recipient):
 * ask for a batch with a delivery-request that wants its answer on the HTTP response (RFC 0092
 * return route), process each delivered envelope as if it had been posted to `/didcomm`, and
 * acknowledge with messages-received, until the mediator's status says nothing is left. A pickup
 * is a poll, not a step's message, so it is posted directly instead of through the outbox.
 */
import { parseJson, isoTime } from '#common/json';
import { postWebhook } from '#delivery';
import { getConnectionRow } from './connections';
import type { DidDocument } from './did-document';
import { decodeBase64Url, fromUtf8 } from './encoding';
import { unpackMessage } from './envelope';
import { didcommError } from './errors';
import { receiveEnvelope } from './inbound';
import { getKey, type HeldKey } from './keys';
import { advanceMediator, getMediatorRow } from './mediators';
import { MessageTypes, newMessageId, normalizeType, parseMessage, type Message } from './messages';
import { packFor, serviceOf, type DidcommContext } from './outbound';

/** What one pickup came to. */
export interface PickupResult {
  /** Envelopes the mediator delivered. */
  readonly delivered: number;
  /** Of those, how many were refused when processed (each as `/didcomm` would have refused it). */
  readonly refused: number;
  /** What the mediator says it still holds. */
  readonly remaining: number;
}

const BATCH = 10;
const ROUNDS = 20;
const RESPONSE_LIMIT = 8 * 1024 * 1024;

/** Picks up everything a granted mediator holds for the tenant, in batches of ten. */
export async function pickUp(context: DidcommContext, tenantId: string, mediatorId: string): Promise<PickupResult> {
  const mediator = await getMediatorRow(context.db, tenantId, mediatorId);
  if (mediator.state !== 'granted')
    throw didcommError('mediator_not_ready', `the mediator is ${mediator.state}`, 'path.id');
  const connection = await getConnectionRow(context.db, tenantId, mediator.connection_id);
  const document = parseJson<DidDocument | null>(connection.their_did_doc, null);
  if (!document) throw didcommError('mediator_not_ready', 'the connection to the mediator has no DID document');
  const key = await getKey(context.db, tenantId, connection.our_verkey);
  const ask = (message: Message) => exchange(context, document, key, message);

  let delivered = 0;
  let refused = 0;
  let remaining = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const answer = await ask({
      '@type': MessageTypes.pickupDeliveryRequest,
      '@id': newMessageId(),
      limit: BATCH,
      ...RETURN_ALL,
    });
    if (normalizeType(answer['@type']) !== normalizeType(MessageTypes.pickupDelivery)) {
      remaining = statusCount(answer);
      break;
    }
    const attachments = Array.isArray(answer['~attach']) ? (answer['~attach'] as unknown[]) : [];
    const received: string[] = [];
    for (const attachment of attachments) {
      const { id, envelope } = readAttachment(attachment);
      received.push(id);
      delivered++;
      try {
        // Processed like a post to /didcomm: the envelope names its key, and that key its tenant.
        await receiveEnvelope(context, envelope);
      } catch {
        // A refused message is dropped from the mediator too: asking again would only refuse it again.
        refused++;
      }
    }
    remaining = statusCount(
      await ask({
        '@type': MessageTypes.pickupMessagesReceived,
        '@id': newMessageId(),
        message_id_list: received,
        ...RETURN_ALL,
      }),
    );
    if (remaining === 0 || received.length === 0) break;
  }
  const now = context.clock.now();
  await advanceMediator(context.db, mediator, ['granted'], { last_pickup_at: isoTime(now) }, now);
  return { delivered, refused, remaining };
}

const RETURN_ALL = { '~transport': { return_route: 'all' } } as const;

// One request, its answer read from the HTTP response (RFC 0092), under the same address policy as every post.
async function exchange(
  context: DidcommContext,
  document: DidDocument,
  key: HeldKey,
  message: Message,
): Promise<Message> {
  const service = serviceOf(document);
  const response = await postWebhook(
    service.serviceEndpoint,
    packFor(message, service, key),
    { 'content-type': 'application/didcomm-envelope-enc' },
    {
      timeoutMs: 15_000,
      allowPrivateNetwork: context.allowPrivateNetwork ?? false,
      responseBodyLimit: RESPONSE_LIMIT,
    },
  );
  if (!response.ok || response.body.length === 0) {
    throw didcommError(
      'mediator_unreachable',
      `the mediator answered ${response.status ?? response.error ?? 'nothing'} to ${message['@type']}`,
    );
  }
  try {
    return parseMessage(unpackMessage(response.body, [key]).message);
  } catch {
    throw didcommError('mediator_unreachable', `the mediator's answer to ${message['@type']} is not a message for us`);
  }
}

function statusCount(message: Message): number {
  if (normalizeType(message['@type']) !== normalizeType(MessageTypes.pickupStatus))
    throw didcommError('mediator_unreachable', `the mediator answered with ${message['@type'].slice(0, 120)}`);
  return typeof message.message_count === 'number' ? message.message_count : 0;
}

// RFC 0685 §delivery: each held envelope is an attachment, as JSON (Credo) or base64 (ACA-Py).
function readAttachment(value: unknown): { id: string; envelope: string } {
  const attachment = (value ?? {}) as { '@id'?: unknown; data?: { json?: unknown; base64?: unknown } };
  if (typeof attachment['@id'] !== 'string')
    throw didcommError('mediator_unreachable', 'a delivered attachment has no @id');
  const { json, base64 } = attachment.data ?? {};
  const envelope =
    json !== undefined ? JSON.stringify(json) : typeof base64 === 'string' ? fromUtf8(decodeBase64Url(base64)) : null;
  if (envelope === null) throw didcommError('mediator_unreachable', 'a delivered attachment carries no envelope');
  return { id: attachment['@id'], envelope };
}
