/**
 * Aries RFC 0434 handshake reuse, Usher as the inviter: an agent that already has a connection with Usher answers
 * one of its invitations with `handshake-reuse` on that connection (`~thread.pthid` = the invitation's @id) instead
 * of a second DID Exchange. One seat per person: the seat the invitation already gave the connection's DID comes
 * back and consumes no use; a DID it has not admitted yet is accepted once, without a second connection.
 */
import { AppError } from '#common/errors';
import type { DidcommConnectionRow } from '#db';
import { findInvitationRow } from '#invitations';
import { connectionOfKey, toConnection, type Connection } from './connections';
import { didcommError } from './errors';
import type { HeldKey } from './keys';
import { MessageTypes, newMessageId, parentThreadId, threadId, type Message } from './messages';
import type { DidcommContext } from './outbound';
import { sendOnConnection } from './trust-ping';
import type { UnpackedMessage } from './envelope';

/**
 * Answers `handshake-reuse` with `handshake-reuse-accepted` (thid = the reuse's @id, pthid = the invitation), or with
 * an out-of-band problem report when the invitation is unknown here, is not a DIDComm one, is bound to another DID,
 * or refuses (revoked, expired, spent).
 */
export async function handleReuse(
  context: DidcommContext,
  key: HeldKey,
  _unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection> {
  const connection = await connectionOfKey(context, key);
  const thread = { thid: threadId(message), pthid: parentThreadId(message) };
  const refuse = async (explain: string): Promise<never> => {
    await answer(context, connection, oobMessage(MessageTypes.oobProblem, thread, problemFields(explain)));
    throw didcommError('request_not_accepted', explain);
  };
  if (connection.state !== 'completed' || !connection.their_did)
    return refuse('handshake-reuse on a connection that is not completed');
  if (thread.pthid === null) return refuse('handshake-reuse names no invitation (~thread.pthid)');
  // Looked up in the connection's tenant only: an id from another tenant reads as unknown.
  const invitation = await findInvitationRow(context.db, connection.tenant_id, thread.pthid);
  const did = connection.their_did;
  if (!invitation || invitation.channel !== 'didcomm' || invitation.direction !== 'outgoing')
    return refuse(`no DIDComm invitation ${thread.pthid.slice(0, 80)} here`);
  if (invitation.recipient_did !== null && invitation.recipient_did !== did)
    return refuse('the invitation is bound to another DID');
  try {
    const name = connection.their_label ? { name: connection.their_label } : {};
    await context.invitations.seatFor(connection.tenant_id, invitation.id, { did, ...name }, { kind: 'invitee' });
  } catch (error) {
    if (error instanceof AppError && error.code.startsWith('invitation_'))
      return refuse(`${error.code}: ${error.message}`);
    throw error;
  }
  await answer(context, connection, oobMessage(MessageTypes.handshakeReuseAccepted, thread, {}));
  return toConnection(connection);
}

function oobMessage(type: string, thread: { thid: string; pthid: string | null }, fields: object): Message {
  const parent = thread.pthid ? { pthid: thread.pthid } : {};
  return { '@type': type, '@id': newMessageId(), '~thread': { thid: thread.thid, ...parent }, ...fields };
}

// RFC 0035 fields; Usher's own code in the description, for the agent's log.
function problemFields(explain: string) {
  return { description: { code: 'request_not_accepted', en: explain } };
}

// Sent on its own transaction: the seat is already stored, and a reuse sent again gets the same seat back, so a lost
// answer costs nothing but the retry.
async function answer(context: DidcommContext, connection: DidcommConnectionRow, message: Message): Promise<void> {
  await context.db
    .transaction()
    .execute((trx) => sendOnConnection(trx, context, connection, message, context.clock.now()));
  context.outbox.wake();
}
