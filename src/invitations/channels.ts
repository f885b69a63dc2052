import type { Db, InvitationRow } from '#db';
import type { Identity } from '#tenants';
import type { CreateInvitationInput } from './schemas';

/**
 * A protocol channel's part in creating an invitation, for channels whose invitation is a
 * protocol message rather than a secret link (DIDComm's out-of-band message). The channel's
 * capability implements it; invitations only call it, so they never depend on a protocol.
 */
export interface ChannelAdapter {
  /** Runs in the creating transaction once the row exists; returns the protocol payload to store with it. */
  prepare(trx: Db, row: InvitationRow, identity: Identity, input: CreateInvitationInput): Promise<string>;
  /** The invitation's URL: public by design (it carries keys, not a secret), so it can be shown again. */
  url(row: InvitationRow): string | null;
}

/** The protocol channels this server wires, by channel name. */
export type ChannelAdapters = Readonly<Partial<Record<string, ChannelAdapter>>>;
