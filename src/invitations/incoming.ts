import type { Db, InvitationRow } from '#db';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import { commitTransition } from './commit-transition';
import { nextInvitationNumber } from './numbered-insert';
import { writeEvents, type Actor, type EventSink } from './events';
import type { Channel } from './record';

/** What another party's invitation to one of our identities says, as a protocol inbox or accept call read it. */
export interface IncomingInvitationInput {
  readonly tenantId: string;
  readonly identityId: string;
  readonly channel: Channel;
  /** Who invited us: their DID or actor IRI, and a name to show. */
  readonly from: { readonly did?: string | null; readonly actorIri?: string | null; readonly name?: string | null };
  readonly contactId?: string | null;
  /**
   * What they invite us into, when they say (an ActivityPub Invite's project or event); the connection itself
   * otherwise.
   */
  readonly target?: {
    readonly type: 'project' | 'event' | 'group';
    readonly iri: string;
    readonly name: string | null;
  } | null;
  readonly role?: string | null;
  readonly rules?: readonly string[];
  readonly label?: string | null;
  readonly message?: string | null;
  /** The protocol message as received (the out-of-band invitation, the Invite activity). */
  readonly payload: string;
  /** How long it stays answerable when the sender gives no end; 30 days by default. */
  readonly expiresAt?: Date;
}

/**
 * Records an invitation addressed to us, in the caller's transaction: pending, or accepted at
 * once when our side has already answered (accepting a DIDComm invitation URL is the answer).
 */
export async function recordIncomingInvitation(
  trx: Db,
  input: IncomingInvitationInput,
  context: { now: Date; actor: Actor; sink: EventSink; accepted: boolean },
): Promise<InvitationRow> {
  const { now } = context;
  const id = newId(now.getTime());
  const row: InvitationRow = {
    id,
    number: await nextInvitationNumber(trx, id),
    tenant_id: input.tenantId,
    identity_id: input.identityId,
    channel: input.channel,
    direction: 'incoming',
    status: 'pending',
    recipient_email: null,
    recipient_email_normalized: null,
    recipient_contact_id: input.contactId ?? null,
    recipient_did: input.from.did ?? null,
    recipient_actor: input.from.actorIri ?? null,
    recipient_provider: null,
    recipient_name: input.from.name ?? null,
    target_type: input.target?.type ?? 'tenant',
    target_key: input.target?.iri ?? 'tenant',
    target_iri: input.target?.iri ?? null,
    target_name: input.target?.name ?? null,
    role: input.role ?? null,
    rules: JSON.stringify(input.rules ?? []),
    message: input.message ?? null,
    label: input.label ?? null,
    description: null,
    purpose: null,
    public: 0,
    uses_allowed: 1,
    uses_count: 0,
    starts_at: null,
    expires_at: isoTime(input.expiresAt ?? new Date(now.getTime() + 30 * 24 * 3600 * 1000)),
    payload: input.payload,
    metadata: '{}',
    locale: null,
    // Sent to us: the sender is `recipient_*` (the other party); we keep no host-application user.
    invited_by_id: null,
    invited_by_name: null,
    invited_by_email: null,
    invited_by_source: null,
    redirect_url: null,
    grantable_roles: null,
    require_approval: 0,
    version: 0,
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  await trx.insertInto('invitations').values(row).execute();
  await writeEvents(
    trx,
    row,
    { previousStatus: null, status: 'pending', events: ['invitation.created'] },
    context.actor,
    { channel: row.channel, direction: 'incoming' },
    now,
    context.sink,
  );
  if (!context.accepted) return row;
  return (await commitTransition(trx, row, 'accept', { now, actor: context.actor, sink: context.sink })).row;
}
