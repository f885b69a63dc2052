/**
 * The invitee's side of the handshake (Aries RFC 0023 "requester", RFC 0160 "invitee"): accept
 * an invitation URL on behalf of an identity, send the request, check the response's signature
 * against the invitation's key, and finish with a complete (or a trust ping for Connections 1.0).
 */
import { isoTime } from '#common/json';
import { errorMessage } from '#common/errors';
import type { Db, DidcommConnectionRow } from '#db';
import { findInvitationById, type Actor } from '#invitations';
import { contactFor, getInviter } from '#tenants';
import { advanceConnection, connectionOfKey, insertConnection, toConnection, type Connection } from './connections';
import type { DidDocument } from './did-document';
import { resolveDid } from './dids';
import type { UnpackedMessage } from './envelope';
import { didcommError } from './errors';
import { createKey, type HeldKey } from './keys';
import { readDidDocument } from './legacy-did-doc';
import { onConnectionCompleted, registerKeys } from './mediation';
import {
  HANDSHAKE_PROTOCOLS,
  MessageTypes,
  newMessageId,
  threadId,
  type HandshakeProtocol,
  type Message,
} from './messages';
import { parseInvitation, parseInvitationUrl } from './oob-invitation';
import { sendMessage, serviceOf, type DidcommContext } from './outbound';
import { checkedPeer, ourIdentity, type PeerDidMethod } from './peer-identity';
import { reportOnConnection } from './report-on-connection';
import { directRouting, routingFor } from './routing';
import { attach, attachmentText, openSignedAttachment, openSignedField } from './signatures';

/**
 * How an accepted invitation is used: `direct` keeps our DID on Usher's own endpoint (a mediator's connection); `then`
 * runs in the same transaction.
 */
export interface AcceptOptions {
  readonly direct?: boolean;
  readonly then?: (trx: Db, connection: DidcommConnectionRow, now: Date) => Promise<void>;
}

/** What accepting an invitation URL needs. */
export interface AcceptUrlInput {
  readonly invitationUrl: string;
  /** Who accepts; the tenant's default identity when omitted. */
  readonly identityId?: string;
  /** The label the inviter sees; the identity's display name when omitted. */
  readonly label?: string;
  /** Our own name for the connection. */
  readonly alias?: string;
  /** Our connection DID's method for DID Exchange; did:peer:2 by default. */
  readonly didMethod?: PeerDidMethod;
}

/** Accepts an invitation URL: records the incoming invitation as accepted and sends the handshake request. */
export async function acceptInvitationUrl(
  context: DidcommContext,
  tenantId: string,
  input: AcceptUrlInput,
  actor: Actor,
  options: AcceptOptions = {},
): Promise<Connection> {
  const invitation = parseInvitationUrl(input.invitationUrl);
  const protocol = invitation.handshakeProtocols[0]!;
  const { identity } = await getInviter(context.db, tenantId, input.identityId, 'body.identityId');
  if (identity.status !== 'active')
    throw didcommError('request_not_accepted', 'This identity is disabled', 'body.identityId');
  const label = input.label ?? identity.displayName;
  const now = context.clock.now();
  const connection = await context.db.transaction().execute(async (trx) => {
    const incoming = await context.invitations.recordIncoming(
      trx,
      {
        tenantId,
        identityId: identity.id,
        channel: 'didcomm',
        from: { name: invitation.label },
        label: invitation.label,
        payload: JSON.stringify(invitation.message),
      },
      actor,
      true,
    );
    const key = await createKey(trx, { tenantId }, now);
    const routing = options.direct
      ? directRouting(context.endpoint)
      : await routingFor(trx, tenantId, context.endpoint);
    const us = ourIdentity(protocol, key.publicKey, routing, input.didMethod);
    const requestId = newMessageId();
    const row = await insertConnection(
      trx,
      {
        tenant_id: tenantId,
        identity_id: identity.id,
        invitation_id: incoming.id,
        contact_id: null,
        role: 'invitee',
        protocol,
        state: 'request-sent',
        thread_id: requestId,
        parent_thread_id: invitation.id,
        our_did: us.did,
        our_verkey: key.verkey,
        their_label: invitation.label,
        alias: input.alias ?? null,
        invitation_key: invitation.service.recipientKeys[0]!,
      },
      now,
    );
    await options.then?.(trx, row, now);
    await registerKeys(trx, context, routing, tenantId, [key.verkey], now);
    const request = requestMessage(
      protocol,
      requestId,
      invitation.kind === 'oob' ? invitation.id : null,
      label,
      us,
      key,
    );
    await sendMessage(
      trx,
      context,
      {
        tenantId,
        invitationId: incoming.id,
        connectionId: row.id,
        service: invitation.service,
        message: request,
        sender: key,
      },
      now,
    );
    return toConnection(row);
  });
  context.outbox.wake();
  return connection;
}

/** Takes the inviter's response: verifies it was signed with the invitation's key, stores their DID, and completes. */
export async function handleResponse(
  context: DidcommContext,
  key: HeldKey,
  unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection> {
  const connection = await connectionOfKey(context, key);
  const thid = threadId(message);
  if (connection.role !== 'invitee' || thid !== connection.thread_id || connection.state !== 'request-sent') {
    throw didcommError(
      'thread_unknown',
      `response on thread ${thid.slice(0, 80)} does not match a request awaiting one`,
    );
  }
  const protocol = connection.protocol as HandshakeProtocol;
  let peer;
  try {
    const { did, document } = readResponder(message, protocol, connection.invitation_key!);
    peer = checkedPeer(did, document, unpacked.senderVerkey);
  } catch (error) {
    // Nothing is stored from a response that does not verify; the inviter is told why, if we know where.
    await reportToInvitation(context, connection, thid, error);
    throw error;
  }
  const now = context.clock.now();
  const completed = await context.db.transaction().execute(async (trx) => {
    const contactId = (
      await contactFor(trx, connection.tenant_id, { did: peer.did, name: connection.their_label }, now)
    ).id;
    const updated = await advanceConnection(
      trx,
      connection,
      ['request-sent'],
      {
        state: 'completed',
        their_did: peer.did,
        their_did_doc: JSON.stringify(peer.document),
        their_verkey: peer.verkey,
        contact_id: contactId,
        ...(protocol === 'connections/1.0' ? { last_ping_at: isoTime(now) } : {}),
      },
      now,
    );
    if (!updated) throw didcommError('thread_unknown', 'the connection changed while the response was processed');
    const thread = { thid, ...(connection.parent_thread_id ? { pthid: connection.parent_thread_id } : {}) };
    // RFC 0023 §3 complete; Connections 1.0 has none, and RFC 0160 suggests a trust ping to confirm.
    const ack: Message =
      protocol === 'connections/1.0'
        ? { '@type': MessageTypes.trustPing, '@id': newMessageId(), response_requested: true }
        : { '@type': `${HANDSHAKE_PROTOCOLS[protocol]}/complete`, '@id': newMessageId(), '~thread': thread };
    await sendMessage(
      trx,
      context,
      {
        tenantId: connection.tenant_id,
        invitationId: connection.invitation_id,
        connectionId: connection.id,
        service: serviceOf(peer.document),
        message: ack,
        sender: key,
      },
      now,
    );
    await onConnectionCompleted(trx, context, updated, now);
    return updated;
  });
  context.outbox.wake();
  return toConnection(completed);
}

// RFC 0023 1.1: did_rotate~attach signs the new DID with the invitation key; 1.0 signs did_doc~attach instead.
// Either proves the response comes from whoever holds the invitation's key. RFC 0160: connection~sig.
function readResponder(
  message: Message,
  protocol: HandshakeProtocol,
  invitationKey: string,
): { did: string; document: DidDocument } {
  if (protocol === 'connections/1.0') {
    const signed = openSignedField(message['connection~sig'], invitationKey, 'connection~sig') as {
      DID?: unknown;
      DIDDoc?: unknown;
    } | null;
    if (!signed || typeof signed.DID !== 'string')
      throw didcommError('message_malformed', 'connection~sig does not hold a connection', 'connection~sig');
    return { did: signed.DID, document: readDidDocument(signed.DIDDoc, 'connection.DIDDoc') };
  }
  if (typeof message.did !== 'string' || message.did.length === 0)
    throw didcommError('message_malformed', 'A DID Exchange response has a did', 'did');
  const did = message.did;
  const rotate = message['did_rotate~attach'];
  const docAttachment = message['did_doc~attach'] as { data?: { jws?: unknown } } | undefined;
  if (rotate !== undefined && openSignedAttachment(rotate, invitationKey, 'did_rotate~attach') !== did) {
    throw didcommError('signature_invalid', 'did_rotate~attach signs another DID', 'did_rotate~attach');
  }
  if (rotate === undefined && !docAttachment?.data?.jws)
    throw didcommError(
      'signature_invalid',
      'The response carries no signature by the invitation key',
      'did_doc~attach',
    );
  if (!docAttachment) return { did, document: resolveDid(did) };
  const text = docAttachment.data?.jws
    ? openSignedAttachment(docAttachment, invitationKey, 'did_doc~attach')
    : attachmentText(docAttachment, 'did_doc~attach');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw didcommError('message_malformed', 'did_doc~attach does not hold JSON', 'did_doc~attach');
  }
  const document = readDidDocument(json, 'did_doc~attach');
  if (document.id !== did && !did.startsWith('did:peer:4'))
    throw didcommError('message_malformed', 'did_doc~attach describes another DID', 'did_doc~attach');
  return { did, document };
}

function requestMessage(
  protocol: HandshakeProtocol,
  id: string,
  pthid: string | null,
  label: string,
  us: { did: string; document: unknown },
  key: HeldKey,
): Message {
  const thread = { '~thread': { thid: id, ...(pthid ? { pthid } : {}) } };
  if (protocol === 'connections/1.0') {
    return {
      '@type': MessageTypes.connectionsRequest,
      '@id': id,
      ...(pthid ? thread : {}),
      label,
      connection: { DID: us.did, DIDDoc: us.document },
    };
  }
  return {
    '@type': `${HANDSHAKE_PROTOCOLS[protocol]}/request`,
    '@id': id,
    ...thread,
    label,
    did: us.did,
    // 1.0 agents predate resolvable peer DIDs: they get the document, signed by its own key.
    ...(protocol === 'didexchange/1.0' ? { 'did_doc~attach': attach(us.document, 'application/json', key) } : {}),
  };
}

// Before a response verifies we hold no DID document of theirs; the invitation's own service is where a report can go.
async function reportToInvitation(
  context: DidcommContext,
  connection: DidcommConnectionRow,
  thid: string,
  error: unknown,
): Promise<void> {
  const explain = errorMessage(error);
  const stored = await findInvitationById(context.db, connection.invitation_id!, ['payload']);
  try {
    const { service } = parseInvitation(JSON.parse(stored?.payload ?? 'null'));
    const document = { id: 'did:invitation', service: [{ ...service, id: '#inline', type: 'did-communication' }] };
    await reportOnConnection(
      context,
      { ...connection, their_did_doc: JSON.stringify(readDidDocument(document, 'invitation')) },
      thid,
      'response_not_accepted',
      explain,
    );
  } catch {
    // An invitation we cannot read again has nowhere to report to; the refusal still stands.
  }
}
