/**
 * Outgoing DIDComm messages: packed for the other agent's service (with RFC 0094 forward
 * wrapping for each routing key) and written to the outbox in the caller's transaction, so a
 * handshake step and the message it owes commit together and are retried until delivered.
 * A message for an agent that cannot be posted to, or that asked for its answers on the request
 * it is making (RFC 0092 return route), is held instead, in the same transaction, until it asks.
 */
import type { Kysely } from 'kysely';
import type { Database, Db } from '#db';
import type { Clock } from '#common/clock';
import type { DidcommOutboxPayload, OutboxItem, OutboxPort } from '#delivery';
import type { InvitationService } from '#invitations';
import type { Ed25519KeyPair } from './crypto-box';
import type { DidDocument } from './did-document';
import { didcommServices, type DidCommService } from './document-services';
import { decodeBase58, encodeBase58 } from './encoding';
import { packMessage } from './envelope';
import { didcommError } from './errors';
import { holdMessage, releaseHeld } from './held-messages';
import { awaitingRegistration } from './mediated-keys';
import { MessageTypes, newMessageId, threadId, type Message } from './messages';
import { isPostable, travelsBack, type ReturnRoute } from './return-route';

/** The outbox as DIDComm needs it: write rows in a transaction, nudge the worker after commit. */
export type DidcommOutbox = OutboxPort;

/** What every DIDComm step needs. */
export interface DidcommContext {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  /** Usher's public `/didcomm` URL: the service endpoint of every invitation and DID it makes. */
  readonly endpoint: string;
  readonly invitations: InvitationService;
  readonly outbox: DidcommOutbox;
  /** Lets pickups reach mediators on loopback and private addresses (tests, local setups); false by default. */
  readonly allowPrivateNetwork?: boolean;
  /**
   * Set while an inbound message that asked for a return route is processed: answers to its sender are held for the
   * response.
   */
  readonly returnRoute?: ReturnRoute | null;
}

/** A message to send and to whom. `sender` null packs anoncrypt. */
export interface Outgoing {
  readonly tenantId: string;
  readonly invitationId?: string | null;
  readonly connectionId?: string | null;
  readonly service: DidCommService;
  readonly message: Message;
  readonly sender: Ed25519KeyPair | null;
}

/** The service messages to this document go to; refuses a document with none Usher can use. */
export function serviceOf(document: DidDocument): DidCommService {
  const service = didcommServices(document)[0];
  if (!service)
    throw didcommError('peer_unreachable', `${document.id.slice(0, 80)} has no DIDComm v1 service with Ed25519 keys`);
  return service;
}

/** The envelope for a service: packed to its recipient keys, then forwarded through each routing key in turn. */
export function packFor(message: Message, service: DidCommService, sender: Ed25519KeyPair | null): string {
  let envelope = packMessage(message, service.recipientKeys.map(decodeBase58), sender ?? undefined);
  let to = service.recipientKeys[0]!;
  for (const routingKey of service.routingKeys) {
    const forward = { '@type': MessageTypes.forward, '@id': newMessageId(), to, msg: JSON.parse(envelope) as unknown };
    envelope = packMessage(forward, [decodeBase58(routingKey)]);
    to = routingKey;
  }
  return envelope;
}

/**
 * Packs `outgoing` and writes it to the outbox in `trx`; the worker posts it once the transaction
 * commits. It is held instead when it travels back on the open request's return route, when its
 * service cannot be posted to, or when its sender key still waits for a mediator's confirmation
 * (an answer routed through the mediator before then would be dropped there).
 */
export async function sendMessage(
  trx: Db,
  context: Pick<DidcommContext, 'outbox' | 'returnRoute'>,
  outgoing: Outgoing,
  now: Date,
): Promise<void> {
  const { service, message, sender } = outgoing;
  const back = travelsBack(context.returnRoute, service.recipientKeys, message);
  const endpoint = back || !isPostable(service.serviceEndpoint) ? null : service.serviceEndpoint;
  const awaitingKey = sender ? await awaitingRegistration(trx, encodeBase58(sender.publicKey)) : null;
  // The agent itself takes a message held for it, so that one is packed to its keys alone, without forward wrapping.
  const envelope = packFor(message, endpoint === null ? { ...service, routingKeys: [] } : service, sender);
  const ids = {
    tenantId: outgoing.tenantId,
    connectionId: outgoing.connectionId ?? null,
    invitationId: outgoing.invitationId ?? null,
  };
  if (endpoint !== null && awaitingKey === null) {
    await context.outbox.enqueue(trx, [outboxItem({ ...ids, endpoint, envelope, messageType: message['@type'] })], now);
    return;
  }
  const recipientKey = back ? context.returnRoute!.verkey : service.recipientKeys[0]!;
  await holdMessage(
    trx,
    {
      ...ids,
      recipientKey,
      threadId: threadId(message),
      messageType: message['@type'],
      envelope,
      awaitingKey,
      endpoint,
    },
    now,
  );
}

/**
 * Lets go of what waited for `verkey` to be registered: to the outbox where it has an endpoint, to its recipient's next
 * return route otherwise.
 */
export async function releaseAwaiting(
  trx: Db,
  context: Pick<DidcommContext, 'outbox'>,
  verkey: string,
  now: Date,
): Promise<void> {
  const posted = await releaseHeld(trx, verkey);
  const items = posted.map((row) =>
    outboxItem({
      tenantId: row.tenant_id,
      connectionId: row.connection_id,
      invitationId: row.invitation_id,
      endpoint: row.endpoint!,
      envelope: row.envelope,
      messageType: row.message_type,
    }),
  );
  await context.outbox.enqueue(trx, items, now);
}

function outboxItem(fields: {
  tenantId: string;
  connectionId: string | null;
  invitationId: string | null;
  endpoint: string;
  envelope: string;
  messageType: string;
}): OutboxItem {
  const payload: DidcommOutboxPayload = {
    endpoint: fields.endpoint,
    envelope: fields.envelope,
    messageType: fields.messageType,
    connectionId: fields.connectionId,
  };
  return {
    tenantId: fields.tenantId,
    topic: 'didcomm.message',
    invitationId: fields.invitationId,
    payload: { ...payload },
  };
}
