/** The DIDComm capability behind its routes: inbound envelopes, accepting invitation URLs, connections and trust ping. */
import type { Actor } from '#invitations';
import type { Page } from '#http/pagination';
import { deleteConnection, getConnectionRow, listConnections, toConnection, type Connection, type ConnectionQuery } from './connections';
import { receiveEnvelope } from './inbound';
import type { DidcommContext } from './outbound';
import { acceptInvitationUrl, type AcceptUrlInput } from './requester';
import { sendPing } from './trust-ping';

export type DidcommService = ReturnType<typeof createDidcommService>;

/** Builds the service; `context.endpoint` is Usher's public `/didcomm` URL. */
export function createDidcommService(context: DidcommContext) {
  return {
    /** Processes one envelope posted to `/didcomm`. */
    receive: (envelope: string) => receiveEnvelope(context, envelope),
    acceptInvitationUrl: (tenantId: string, input: AcceptUrlInput, actor: Actor) => acceptInvitationUrl(context, tenantId, input, actor),
    listConnections: (tenantId: string, query: ConnectionQuery): Promise<Page<Connection>> => listConnections(context.db, tenantId, query),
    getConnection: async (tenantId: string, id: string): Promise<Connection> => toConnection(await getConnectionRow(context.db, tenantId, id)),
    deleteConnection: (tenantId: string, id: string) => context.db.transaction().execute((trx) => deleteConnection(trx, tenantId, id)),
    ping: (tenantId: string, id: string) => sendPing(context, tenantId, id),
  };
}
