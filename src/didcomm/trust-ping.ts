/** Aries RFC 0048 trust ping on a connection: send one, answer one, note the answer. */
import { isoTime, parseJson } from '#common/json';
import type { DidcommConnectionRow } from '#db';
import { advanceConnection, connectionOfKey, getConnectionRow, toConnection, type Connection } from './connections';
import type { DidDocument } from './did-document';
import { didcommError } from './errors';
import { getKey, type HeldKey } from './keys';
import { MessageTypes, newMessageId, type Message } from './messages';
import { sendMessage, serviceOf, type DidcommContext } from './outbound';

/** Sends a ping that asks for a response; the connection must have completed its handshake. */
export async function sendPing(context: DidcommContext, tenantId: string, id: string): Promise<Connection> {
  const connection = await getConnectionRow(context.db, tenantId, id);
  if (connection.state !== 'completed')
    throw didcommError('connection_not_ready', `the connection is ${connection.state}`, 'path.id');
  const now = context.clock.now();
  const ping: Message = { '@type': MessageTypes.trustPing, '@id': newMessageId(), response_requested: true };
  const updated = await context.db.transaction().execute(async (trx) => {
    await sendOnConnection(trx, context, connection, ping, now);
    return advanceConnection(trx, connection, ['completed'], { last_ping_at: isoTime(now) }, now);
  });
  context.outbox.wake();
  return toConnection(updated ?? connection);
}

/**
 * A ping on a connection. For the inviter of a Connections 1.0 handshake, which has no complete
 * message, it is the requester's confirmation (RFC 0160 §Response processing), so it completes the connection.
 */
export async function handlePing(context: DidcommContext, key: HeldKey, message: Message): Promise<Connection> {
  let connection = await connectionOfKey(context, key);
  const now = context.clock.now();
  if (connection.role === 'inviter' && connection.state === 'response-sent') {
    connection =
      (await advanceConnection(context.db, connection, ['response-sent'], { state: 'completed' }, now)) ??
      (await getConnectionRow(context.db, key.tenantId, connection.id));
  }
  if (connection.state !== 'completed')
    throw didcommError('connection_not_ready', `a ping on a connection that is ${connection.state}`);
  if (message.response_requested !== false) {
    const response: Message = {
      '@type': MessageTypes.trustPingResponse,
      '@id': newMessageId(),
      '~thread': { thid: message['@id'] },
    };
    await context.db.transaction().execute((trx) => sendOnConnection(trx, context, connection, response, now));
    context.outbox.wake();
  }
  return toConnection(connection);
}

/** Notes the answer to our ping. */
export async function handlePingResponse(context: DidcommContext, key: HeldKey): Promise<Connection> {
  const connection = await connectionOfKey(context, key);
  const now = context.clock.now();
  const updated = await advanceConnection(
    context.db,
    connection,
    ['completed'],
    { last_ping_response_at: isoTime(now) },
    now,
  );
  return toConnection(updated ?? connection);
}

/** Packs a message from our connection key to their DID's service and queues it in `trx`. */
export async function sendOnConnection(
  trx: Parameters<typeof sendMessage>[0],
  context: Pick<DidcommContext, 'outbox' | 'returnRoute'>,
  connection: DidcommConnectionRow,
  message: Message,
  now: Date,
): Promise<void> {
  const document = parseJson<DidDocument | null>(connection.their_did_doc, null);
  if (!document) throw didcommError('connection_not_ready', 'their DID document is not known yet');
  const sender = await getKey(trx, connection.tenant_id, connection.our_verkey);
  await sendMessage(
    trx,
    context,
    {
      tenantId: connection.tenant_id,
      invitationId: connection.invitation_id,
      connectionId: connection.id,
      service: serviceOf(document),
      message,
      sender,
    },
    now,
  );
}
