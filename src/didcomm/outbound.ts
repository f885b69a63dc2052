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
import { didcommServices, type DidCommService, type DidDocument } from './did-document';
import { decodeBase58 } from './encoding';
import { packMessage } from './envelope';
import { didcommError } from './errors';
import { holdMessage } from './held-messages';
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
  /** Set while an inbound message that asked for a return route is processed: answers to its sender are held for the response. */
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
  if (!service) throw didcommError('peer_unreachable', `${document.id.slice(0, 80)} has no DIDComm v1 service with Ed25519 keys`);
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

/** Packs `outgoing` and writes it to the outbox in `trx`; the worker posts it once the transaction commits. */
export async function sendMessage(trx: Db, context: DidcommContext, outgoing: Outgoing, now: Date): Promise<void> {
  const back = travelsBack(context.returnRoute, outgoing.service.recipientKeys, outgoing.message);
  if (back || !isPostable(outgoing.service.serviceEndpoint)) {
    // The agent itself takes a held message, so it is packed to its keys alone, without forward wrapping for a mediator.
    await holdMessage(
      trx,
      {
        tenantId: outgoing.tenantId,
        connectionId: outgoing.connectionId ?? null,
        recipientKey: back ? context.returnRoute!.verkey : outgoing.service.recipientKeys[0]!,
        threadId: threadId(outgoing.message),
        messageType: outgoing.message['@type'],
        envelope: packFor(outgoing.message, { ...outgoing.service, routingKeys: [] }, outgoing.sender),
      },
      now,
    );
    return;
  }
  const payload: DidcommOutboxPayload = {
    endpoint: outgoing.service.serviceEndpoint,
    envelope: packFor(outgoing.message, outgoing.service, outgoing.sender),
    messageType: outgoing.message['@type'],
    connectionId: outgoing.connectionId ?? null,
  };
  const item: OutboxItem = { tenantId: outgoing.tenantId, topic: 'didcomm.message', invitationId: outgoing.invitationId ?? null, payload: { ...payload } };
  await context.outbox.enqueue(trx, [item], now);
}
