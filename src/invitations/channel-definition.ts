import type { z } from '@hono/zod-openapi';
import type { Db, InvitationRow } from '#db';
import type { Identity } from '#tenants';
import type { Actor, EventSink } from './events';
import type { IncomingInvitationInput } from './incoming';
import type { CreateInvitationInput } from './schemas';

/** What a channel's adapter may do in the creating transaction besides writing its own tables. */
export interface PrepareContext<Options> {
  /** The channel's own options from the create body (`body[name]`), parsed by its schema; undefined when absent. */
  readonly options: Options | undefined;
  /** Records the invitee's incoming invitation on this server, in the same transaction (a local delivery). */
  recordIncoming(trx: Db, input: IncomingInvitationInput, actor: Actor, accepted: boolean): Promise<InvitationRow>;
}

/**
 * A protocol channel's part in creating an invitation, for channels whose invitation is a
 * protocol message rather than a secret link (DIDComm's out-of-band message). The channel's
 * capability implements it; invitations only call it, so they never depend on a protocol.
 */
export interface ChannelAdapter<Options = unknown> {
  /** Runs in the creating transaction once the row exists; returns the protocol payload to store with it. */
  prepare(
    trx: Db,
    row: InvitationRow,
    identity: Identity,
    input: CreateInvitationInput,
    context: PrepareContext<Options>,
  ): Promise<string>;
  /** The invitation's URL: public by design (it carries keys, not a secret), so it can be shown again. */
  url(row: InvitationRow): string | null;
}

/** Who an invitation is for, once the create request and its contact are read together. */
export interface ResolvedRecipient {
  readonly email: string | null;
  readonly actorIri: string | null;
}

/**
 * A channel as invitations see it: everything that differs between email, a link, DIDComm,
 * ActivityPub, a provider, declared by the channel's own folder. The composition root registers
 * each with one line; nothing in invitations names a channel.
 */
export interface ChannelDefinition<Options = unknown> {
  /** The `channel` value of a create request, and the body key of its options. */
  readonly name: string;
  /** One line for the API document: how an invitation of this channel travels. */
  readonly summary: string;
  /** Options on create, under `body[name]` (didcomm's handshake protocols…); refused on other channels. */
  readonly options?: z.ZodType<Options>;
  /** True when the invitee accepts through a secret link minted here (email, link). */
  readonly mintsLink?: boolean;
  /** Refuses a create this channel cannot deliver (no address to send to…), with a problem naming the field. */
  readonly check?: (input: CreateInvitationInput, recipient: ResolvedRecipient) => void;
  /** A protocol channel's part in creating: its payload and public URL. */
  readonly adapter?: ChannelAdapter<Options>;
  /** What the channel owes the world when one of its invitations changes, written in the same transaction. */
  readonly sink?: EventSink;
}
