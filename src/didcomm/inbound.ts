/**
 * Everything that arrives at `/didcomm`: open the envelope with the key it names, read the
 * message, and hand it to its protocol step. Every step works in the tenant of the key the
 * envelope was addressed to, so no message can reach another tenant's invitations or connections.
 */
import { advanceConnection, connectionOfKey, toConnection, type Connection } from './connections';
import { envelopeRecipients, unpackMessage } from './envelope';
import { didcommError } from './errors';
import { findKey } from './keys';
import { normalizeType, parseMessage, readProblem, threadId, type Message } from './messages';
import type { DidcommContext } from './outbound';
import { handleResponse } from './requester';
import { takeHeldMessage } from './held-messages';
import { handleReuse } from './handshake-reuse';
import { handleDeny, handleGrant, handleKeylistUpdateResponse } from './mediation';
import { readReturnRoute } from './return-route';
import { handleComplete, handleRequest } from './responder';
import { handlePing, handlePingResponse } from './trust-ping';
import type { HeldKey } from './keys';
import type { UnpackedMessage } from './envelope';

type Step = (
  context: DidcommContext,
  key: HeldKey,
  unpacked: UnpackedMessage,
  message: Message,
) => Promise<Connection | null>;

const STEPS: Readonly<Record<string, Step>> = {
  'https://didcomm.org/didexchange/1/request': handleRequest,
  'https://didcomm.org/connections/1/request': handleRequest,
  'https://didcomm.org/didexchange/1/response': handleResponse,
  'https://didcomm.org/connections/1/response': handleResponse,
  'https://didcomm.org/didexchange/1/complete': (context, key, _unpacked, message) =>
    handleComplete(context, key, message),
  'https://didcomm.org/didexchange/1/problem_report': handleProblem,
  'https://didcomm.org/connections/1/problem_report': handleProblem,
  'https://didcomm.org/out-of-band/1/handshake-reuse': handleReuse,
  'https://didcomm.org/trust_ping/1/ping': (context, key, _unpacked, message) => handlePing(context, key, message),
  'https://didcomm.org/trust_ping/1/ping_response': (context, key) => handlePingResponse(context, key),
  // RFC 0211: a mediator's answers to Usher as its recipient.
  'https://didcomm.org/coordinate-mediation/1/mediate-grant': handleGrant,
  'https://didcomm.org/coordinate-mediation/1/mediate-deny': handleDeny,
  'https://didcomm.org/coordinate-mediation/1/keylist-update-response': handleKeylistUpdateResponse,
  // RFC 0015 ack: Connections 1.0 requesters may confirm with one instead of a ping.
  'https://didcomm.org/notification/1/ack': (context, key, _unpacked, message) =>
    handleComplete(context, key, { ...message, '~thread': { thid: threadId(message) } }),
};

/**
 * What processing one envelope came to; `reply` is the envelope owed on the HTTP response when the sender asked for a
 * return route.
 */
export interface Received {
  readonly type: string;
  readonly connection: Connection | null;
  readonly reply: string | null;
}

/**
 * Processes one inbound envelope; refuses with a typed error, having changed nothing, when any
 * check fails. When the message asks for a return route (RFC 0092), the step's answers to its
 * sender are held rather than posted, and the oldest message held for the sender comes back as `reply`.
 */
export async function receiveEnvelope(context: DidcommContext, envelope: string): Promise<Received> {
  const key = await findKey(context.db, envelopeRecipients(envelope));
  if (!key) throw didcommError('envelope_recipient_unknown', 'None of the recipient keys is held here');
  const unpacked = unpackMessage(envelope, [key]);
  const message = parseMessage(unpacked.message);
  const step = STEPS[normalizeType(message['@type'])];
  if (!step)
    throw didcommError('message_unsupported', `Usher does not handle ${message['@type'].slice(0, 120)}`, '@type');
  const returnRoute = readReturnRoute(message, unpacked.senderVerkey);
  const connection = await step(returnRoute ? { ...context, returnRoute } : context, key, unpacked, message);
  const reply = returnRoute ? await takeHeldMessage(context.db, key.tenantId, returnRoute) : null;
  return { type: message['@type'], connection, reply };
}

// RFC 0023 §Errors: a problem report on our thread abandons the handshake; one on another thread changes nothing.
async function handleProblem(
  context: DidcommContext,
  key: HeldKey,
  _unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection | null> {
  const connection = await connectionOfKey(context, key);
  if (threadId(message) !== connection.thread_id)
    throw didcommError('thread_unknown', 'a problem report on a thread this connection is not in');
  const now = context.clock.now();
  const updated = await advanceConnection(
    context.db,
    connection,
    ['request-sent', 'response-sent'],
    { state: 'abandoned', error: JSON.stringify(readProblem(message)) },
    now,
  );
  return toConnection(updated ?? connection);
}
