/**
 * The didcomm channel's part in creating an invitation: its own key, and the out-of-band message built from what is
 * stored.
 */
import type { InvitationRow } from '#db';
import { parseJson } from '#common/json';
import type { ChannelAdapter, ChannelDefinition } from '#invitations';
import { createKey } from './keys';
import { registerKeys } from './mediation';
import type { DidcommOutbox } from './outbound';
import { routingFor } from './routing';
import type { HandshakeProtocol } from './messages';
import { buildInvitation, invitationUrlOf } from './oob-invitation';
import { DidcommOptionsSchema, type DidcommOptions } from './options';

/** What a didcomm invitation stores in its payload. Public: the secret half of the key lives in `didcomm_keys`. */
export interface DidcommInvitationPayload {
  readonly verkey: string;
  readonly label: string;
  readonly handshakeProtocols: readonly HandshakeProtocol[];
  readonly goalCode: string | null;
  readonly goal: string | null;
  readonly serviceForm?: 'inline' | 'did';
  /** Our own name for the connections it makes (Proven's and ACA-Py's alias). */
  readonly alias?: string | null;
  /**
   * Set when the invitation was made while a mediator routed for the tenant: its endpoint and routing keys go in the
   * service.
   */
  readonly routing?: { readonly endpoint: string; readonly routingKeys: readonly string[] } | null;
}

/**
 * The invitation message of a stored didcomm invitation; its @id is the invitation's id, so requests name it in
 * `pthid`.
 */
export function invitationMessageOf(row: InvitationRow, endpoint: string) {
  const payload = parseJson<DidcommInvitationPayload | null>(row.payload, null);
  if (!payload) return null;
  return buildInvitation({
    ...payload,
    id: row.id,
    serviceEndpoint: payload.routing?.endpoint ?? endpoint,
    routingKeys: payload.routing?.routingKeys ?? [],
  });
}

/**
 * Each invitation gets a key of its own, rather than its identity's: a Connections 1.0 request
 * names its invitation only by the key it is encrypted to, and a fresh key keeps invitations
 * from being correlated with each other. While a mediator routes for the tenant, the key is
 * registered with it in the creating transaction (the keylist-update goes out with the commit).
 */
function createDidcommAdapter(options: {
  readonly endpoint: string;
  readonly outbox: DidcommOutbox;
}): ChannelAdapter<DidcommOptions> {
  return {
    async prepare(trx, row, identity, _input, context) {
      const didcomm = context.options;
      const now = new Date(row.created_at);
      const key = await createKey(trx, { tenantId: row.tenant_id, invitationId: row.id }, now);
      const routing = await routingFor(trx, row.tenant_id, options.endpoint);
      await registerKeys(trx, options, routing, row.tenant_id, [key.verkey], now);
      const payload: DidcommInvitationPayload = {
        verkey: key.verkey,
        label: row.label ?? identity.displayName,
        handshakeProtocols: didcomm?.handshakeProtocols ?? ['didexchange/1.1'],
        goalCode: didcomm?.goalCode ?? null,
        goal: didcomm?.goal ?? null,
        serviceForm: didcomm?.serviceForm ?? 'inline',
        alias: didcomm?.alias ?? null,
        routing: routing.mediatorId ? { endpoint: routing.endpoint, routingKeys: routing.routingKeys } : null,
      };
      return JSON.stringify(payload);
    },
    url(row) {
      const message = invitationMessageOf(row, options.endpoint);
      return message ? invitationUrlOf(options.endpoint, message) : null;
    },
  };
}

/** The didcomm channel: an RFC 0434 out-of-band (or RFC 0160) invitation whose URL is public, answered at /didcomm. */
export function didcommChannel(options: {
  readonly endpoint: string;
  readonly outbox: DidcommOutbox;
}): ChannelDefinition<DidcommOptions> {
  return {
    name: 'didcomm',
    summary: 'a DIDComm out-of-band invitation (?oob=, or ?c_i= for Connections 1.0) an agent scans or opens.',
    options: DidcommOptionsSchema,
    adapter: createDidcommAdapter(options),
  };
}
