/**
 * A problem report on an existing connection's thread (Aries RFC 0035), sent from the connection's own key: both
 * handshake sides use it, the responder when a complete arrives on an unknown state, the requester when it refuses
 * a response.
 */
import { parseJson } from '#common/json';
import type { DidcommConnectionRow } from '#db';
import { getKey } from './keys';
import { problemReport, type HandshakeProtocol } from './messages';
import { sendMessage, serviceOf, type DidcommContext } from './outbound';
import type { PeerIdentity } from './peer-identity';

/** Sends a problem report on a connection's thread, from the connection's own key. */
export async function reportOnConnection(
  context: DidcommContext,
  connection: DidcommConnectionRow,
  thid: string,
  code: string,
  explain: string,
): Promise<void> {
  const document = parseJson<PeerIdentity['document'] | null>(connection.their_did_doc, null);
  if (!document) return;
  const sender = await getKey(context.db, connection.tenant_id, connection.our_verkey);
  const report = problemReport(
    connection.protocol as HandshakeProtocol,
    { thid, pthid: connection.parent_thread_id },
    code,
    explain,
  );
  const now = context.clock.now();
  await context.db.transaction().execute((trx) =>
    sendMessage(
      trx,
      context,
      {
        tenantId: connection.tenant_id,
        invitationId: connection.invitation_id,
        connectionId: connection.id,
        service: serviceOf(document),
        message: report,
        sender,
      },
      now,
    ),
  );
  context.outbox.wake();
}
