/**
 * The DIDComm capability behind its routes: inbound envelopes, accepting invitation URLs, connections and trust ping.
 */
import type { Actor } from '#invitations';
import type { Page } from '#http/pagination';
import {
  deleteConnection,
  getConnectionRow,
  listConnections,
  toConnection,
  type Connection,
  type ConnectionQuery,
} from './connections';
import { receiveEnvelope } from './inbound';
import type { DidcommContext } from './outbound';
import {
  insertMediator,
  getMediatorRow,
  listGrantedMediators,
  listMediatorRows,
  toMediator,
  type Mediator,
} from './mediators';
import { pickUp, type PickupResult } from './pickup';
import { acceptInvitationUrl, type AcceptUrlInput } from './requester';
import { sendPing } from './trust-ping';

export type DidcommService = ReturnType<typeof createDidcommService>;

/** Builds the service; `context.endpoint` is Usher's public `/didcomm` URL. */
export function createDidcommService(context: DidcommContext) {
  return {
    /** Processes one envelope posted to `/didcomm`. */
    receive: (envelope: string) => receiveEnvelope(context, envelope),
    acceptInvitationUrl: (tenantId: string, input: AcceptUrlInput, actor: Actor) =>
      acceptInvitationUrl(context, tenantId, input, actor),
    listConnections: (tenantId: string, query: ConnectionQuery): Promise<Page<Connection>> =>
      listConnections(context.db, tenantId, query),
    getConnection: async (tenantId: string, id: string): Promise<Connection> =>
      toConnection(await getConnectionRow(context.db, tenantId, id)),
    deleteConnection: (tenantId: string, id: string) =>
      context.db.transaction().execute((trx) => deleteConnection(trx, tenantId, id)),
    ping: (tenantId: string, id: string) => sendPing(context, tenantId, id),
    /**
     * Accepts a mediator's invitation URL over a direct connection; mediation is requested once it completes (RFC
     * 0211).
     */
    async startMediation(tenantId: string, input: AcceptUrlInput, actor: Actor): Promise<Mediator> {
      let mediatorId = '';
      await acceptInvitationUrl(context, tenantId, input, actor, {
        direct: true,
        then: async (trx, connection, now) => {
          mediatorId = (await insertMediator(trx, { tenantId, connectionId: connection.id }, now)).id;
        },
      });
      return toMediator(context.db, await getMediatorRow(context.db, tenantId, mediatorId));
    },
    listMediators: async (tenantId: string): Promise<Mediator[]> =>
      Promise.all((await listMediatorRows(context.db, tenantId)).map((row) => toMediator(context.db, row))),
    getMediator: async (tenantId: string, id: string): Promise<Mediator> =>
      toMediator(context.db, await getMediatorRow(context.db, tenantId, id)),
    /** Picks up what the mediator holds for us (RFC 0685) and processes it. */
    pickUp: (tenantId: string, id: string): Promise<PickupResult> => pickUp(context, tenantId, id),
    /**
     * Picks up from every granted mediator of every tenant, one after another; one that fails is reported and the rest
     * still run.
     */
    async pickUpAll(onError: (error: unknown, mediatorId: string) => void): Promise<void> {
      for (const mediator of await listGrantedMediators(context.db)) {
        await pickUp(context, mediator.tenant_id, mediator.id).catch((error: unknown) => onError(error, mediator.id));
      }
    },
  };
}
