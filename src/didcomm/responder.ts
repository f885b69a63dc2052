/**
 * The inviter's side of the handshake (Aries RFC 0023 "responder", RFC 0160 "inviter"): a
 * request redeems the invitation and gets a response signed with the invitation's key; a
 * complete (or, in Connections 1.0, any message) finishes the connection.
 */
import { AppError } from '#common/errors';
import { parseJson } from '#common/json';
import { getInvitationRow } from '#invitations';
import { contactFor } from '#tenants';
import type { DidcommInvitationPayload } from './channel';
import {
  advanceConnection,
  connectionOfKey,
  findByThread,
  insertConnection,
  toConnection,
  type Connection,
} from './connections';
import { didcommError } from './errors';
import { createKey, type HeldKey } from './keys';
import { reportOnConnection } from './report-on-connection';
import {
  HANDSHAKE_PROTOCOLS,
  MessageTypes,
  newMessageId,
  parentThreadId,
  problemReport,
  protocolOf,
  threadId,
  type HandshakeProtocol,
  type Message,
} from './messages';
import { sendMessage, serviceOf, type DidcommContext } from './outbound';
import { registerKeys } from './mediation';
import { methodInKind, ourIdentity, readRequester, type PeerIdentity } from './peer-identity';
import { routingFor } from './routing';
import { attach, signField } from './signatures';
import type { UnpackedMessage } from './envelope';

/**
 * Answers a handshake request sent to an invitation's key; refuses (with a problem report where it can) and changes
 * nothing otherwise.
 */
export async function handleRequest(
  context: DidcommContext,
  key: HeldKey,
  unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection> {
  const protocol = protocolOf(message['@type'])!;
  if (!key.invitationId)
    throw didcommError('thread_unknown', 'A request goes to an invitation key, not a connection key');
  const invitation = await getInvitationRow(context.db, key.tenantId, key.invitationId);
  const payload = parseJson<DidcommInvitationPayload | null>(invitation.payload, null);
  const requester = readRequester(message, protocol, unpacked.senderVerkey);
  const thid = threadId(message);
  const pthid = parentThreadId(message);
  const refuse = (code: string, explain: string) =>
    refuseRequest(context, key, requester, protocol, { thid, pthid }, code, explain);

  if (pthid !== null && pthid !== invitation.id)
    return refuse('request_not_accepted', `~thread.pthid ${pthid.slice(0, 80)} names another invitation`);
  const family = protocol.split('/')[0];
  if (!payload?.handshakeProtocols.some((offered) => offered.split('/')[0] === family)) {
    return refuse('request_not_accepted', `the invitation does not offer ${protocol}`);
  }
  // A DID-bound invitation: the DID Exchange itself is the proof, so only a request from that DID is admitted.
  if (invitation.recipient_did !== null && invitation.recipient_did !== requester.did)
    return refuse('request_not_accepted', 'the invitation is bound to another DID');
  if (await findByThread(context.db, key.tenantId, 'inviter', thid))
    return refuse('request_not_accepted', 'this request was already answered (replay)');

  const label = typeof message.label === 'string' ? message.label.slice(0, 200) : null;
  const now = context.clock.now();
  try {
    const connection = await context.invitations.acceptWith(
      key.tenantId,
      invitation.id,
      { did: requester.did, ...(label ? { name: label } : {}) },
      { kind: 'invitee' },
      async (trx, accepted) => {
        const ours = await createKey(trx, { tenantId: key.tenantId }, now);
        const routing = await routingFor(trx, key.tenantId, context.endpoint);
        const us = ourIdentity(protocol, ours.publicKey, routing, methodInKind(requester.did));
        const row = await insertConnection(
          trx,
          {
            tenant_id: key.tenantId,
            identity_id: accepted.identity_id,
            invitation_id: accepted.id,
            contact_id:
              accepted.recipient_contact_id ??
              (await contactFor(trx, key.tenantId, { did: requester.did, name: label }, now)).id,
            role: 'inviter',
            protocol,
            state: 'response-sent',
            thread_id: thid,
            parent_thread_id: pthid ?? invitation.id,
            our_did: us.did,
            our_verkey: ours.verkey,
            their_did: requester.did,
            their_did_doc: JSON.stringify(requester.document),
            their_label: label,
            alias: payload.alias ?? null,
            their_verkey: requester.verkey,
            invitation_key: key.verkey,
          },
          now,
        );
        // Registered before the response is queued, so the response waits until the mediator routes this key.
        await registerKeys(trx, context, routing, key.tenantId, [ours.verkey], now);
        const response = responseMessage(protocol, { thid, pthid }, us, key, now);
        await sendMessage(
          trx,
          context,
          {
            tenantId: key.tenantId,
            invitationId: accepted.id,
            connectionId: row.id,
            service: serviceOf(requester.document),
            message: response,
            sender: ours,
          },
          now,
        );
        return toConnection(row);
      },
    );
    context.outbox.wake();
    return connection;
  } catch (error) {
    // The lifecycle's refusal (expired, spent, revoked, not yet active) goes back to the requester too.
    if (error instanceof AppError && error.code.startsWith('invitation_'))
      return refuse('request_not_accepted', `${error.code}: ${error.message}`);
    throw error;
  }
}

/** Finishes a connection when the requester's complete (or, for Connections 1.0, any message) arrives. */
export async function handleComplete(context: DidcommContext, key: HeldKey, message: Message): Promise<Connection> {
  const connection = await connectionOfKey(context, key);
  const thid = threadId(message);
  if (connection.role !== 'inviter' || thid !== connection.thread_id || connection.state !== 'response-sent') {
    await reportOnConnection(
      context,
      connection,
      thid,
      'request_processing_error',
      `no handshake in response-sent on thread ${thid.slice(0, 80)}`,
    );
    throw didcommError(
      'thread_unknown',
      `complete for thread ${thid.slice(0, 80)} does not match a handshake awaiting it`,
    );
  }
  const completed = await advanceConnection(
    context.db,
    connection,
    ['response-sent'],
    { state: 'completed' },
    context.clock.now(),
  );
  if (!completed) throw didcommError('thread_unknown', 'the connection changed while the complete was processed');
  return toConnection(completed);
}

// RFC 0023 §2 response: the new DID, its document signed by the invitation key, and in 1.1 the signed DID itself
// (did_rotate~attach) so the requester can tell the inviter moved from the invitation key to this DID.
function responseMessage(
  protocol: HandshakeProtocol,
  thread: { thid: string; pthid: string | null },
  us: { did: string; document: unknown },
  invitationKey: HeldKey,
  now: Date,
): Message {
  const base = {
    '@id': newMessageId(),
    '~thread': { thid: thread.thid, ...(thread.pthid ? { pthid: thread.pthid } : {}) },
  };
  if (protocol === 'connections/1.0') {
    return {
      '@type': MessageTypes.connectionsResponse,
      ...base,
      'connection~sig': signField({ DID: us.did, DIDDoc: us.document }, invitationKey, now),
    };
  }
  return {
    '@type': `${HANDSHAKE_PROTOCOLS[protocol]}/response`,
    ...base,
    did: us.did,
    'did_doc~attach': attach(us.document, 'application/json', invitationKey),
    ...(protocol === 'didexchange/1.1' ? { 'did_rotate~attach': attach(us.did, 'text/string', invitationKey) } : {}),
  };
}

async function refuseRequest(
  context: DidcommContext,
  key: HeldKey,
  requester: PeerIdentity,
  protocol: HandshakeProtocol,
  thread: { thid: string; pthid: string | null },
  code: string,
  explain: string,
): Promise<never> {
  const report = problemReport(protocol, thread, code, explain);
  const now = context.clock.now();
  await context.db.transaction().execute((trx) =>
    sendMessage(
      trx,
      context,
      {
        tenantId: key.tenantId,
        invitationId: key.invitationId,
        service: serviceOf(requester.document),
        message: report,
        sender: key,
      },
      now,
    ),
  );
  context.outbox.wake();
  throw didcommError('request_not_accepted', explain);
}
