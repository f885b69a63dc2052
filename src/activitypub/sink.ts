/**
 * What the ActivityPub channel owes other servers when an invitation changes, written to the
 * outbox in the transaction that changed it: our Invite when created or resent, its Undo when
 * revoked, and our answer (Accept, Reject, TentativeAccept) to an Invite someone sent us.
 */
import type { Db, InvitationRow } from '#db';
import { parseJson } from '#common/json';
import type { OutboxPort } from '#delivery';
import type { EventSink, InvitationEvent } from '#invitations';
import { findIdentityById, getTenant } from '#tenants';
import { buildAnswer, buildInvite, buildUndo, idOf, targetOf, type Activity } from './activities';
import type { ApInvitationPayload } from './channel';
import { recordActivity } from './activity-log';
import type { ApUris } from './uris';

/** The outbox payload of an `activitypub.send` row. */
export interface ApSendPayload {
  readonly identityId: string;
  /** Our actor's handle: its key signs the request. */
  readonly actorHandle: string;
  /** The recipient's actor IRI, or `user@host` to resolve by WebFinger. */
  readonly recipient: string;
  readonly activity: Activity;
}

const ANSWERS = {
  'invitation.accepted': 'Accept',
  'invitation.declined': 'Reject',
  'invitation.tentatively_accepted': 'TentativeAccept',
} as const;

/** The event sink of the activitypub channel. */
export function createActivityPubSink(options: {
  readonly uris: ApUris;
  readonly outbox: Pick<OutboxPort, 'enqueue'>;
}): EventSink {
  const { uris } = options;
  return async (trx, invitation, events) => {
    if (invitation.channel !== 'activitypub') return;
    // identity_id is a foreign key: an invitation's identity is always there.
    const { handle } = (await findIdentityById(trx, invitation.identity_id, ['handle']))!;
    const activities: Activity[] = [];
    for (const event of events) {
      const activity = await activityFor(trx, uris, invitation, event, uris.actor(handle));
      if (activity) activities.push(activity);
    }
    if (activities.length === 0) return;
    const now = new Date(events[0]!.createdAt);
    for (const activity of activities) {
      await recordActivity(
        trx,
        { tenantId: invitation.tenant_id, invitationId: invitation.id, direction: 'out', activity },
        now,
      );
    }
    await options.outbox.enqueue(
      trx,
      activities.map((activity) => ({
        tenantId: invitation.tenant_id,
        topic: 'activitypub.send' as const,
        invitationId: invitation.id,
        payload: {
          identityId: invitation.identity_id,
          actorHandle: handle,
          recipient: recipientOf(invitation),
          activity,
        } satisfies ApSendPayload,
      })),
      now,
    );
  };
}

async function activityFor(
  trx: Db,
  uris: ApUris,
  invitation: InvitationRow,
  event: InvitationEvent,
  actor: string,
): Promise<Activity | null> {
  if (invitation.direction === 'incoming') {
    // Only our own answers go out; a change the remote side caused (their Undo) owes them nothing.
    const type = ANSWERS[event.type as keyof typeof ANSWERS];
    if (!type) return null;
    const theirs = parseJson<Record<string, unknown>>(invitation.payload, {});
    const invite = idOf(theirs);
    if (!invite || !invitation.recipient_actor) return null;
    return buildAnswer(type, { id: uris.activity(), actor, invite, inviter: invitation.recipient_actor });
  }
  const payload = parseJson<ApInvitationPayload | null>(invitation.payload, null);
  if (!payload) return null;
  const invite = async () => {
    const { settings } = await getTenant(trx, invitation.tenant_id);
    return buildInvite(
      {
        id: payload.inviteId,
        actor,
        invitee: recipientOf(invitation),
        target: payload.targetObject && targetOf(targetRowOf(invitation), payload.targetObject),
        role: invitation.role,
        rules: parseJson<string[]>(invitation.rules, []),
        message: invitation.message,
        published: invitation.created_at,
      },
      settings.activityPubInviteShape,
    );
  };
  if (event.type === 'invitation.created' || event.type === 'invitation.resent') return invite();
  if (event.type === 'invitation.revoked')
    return buildUndo({ id: uris.activity(), actor, invite: await invite(), invitee: recipientOf(invitation) });
  return null;
}

const targetRowOf = (row: InvitationRow) => ({ type: row.target_type, iri: row.target_iri, name: row.target_name });

/** The invitee as an actor IRI when known, else the handle WebFinger will resolve. */
function recipientOf(invitation: InvitationRow): string {
  if (invitation.recipient_actor) return invitation.recipient_actor;
  const payload = parseJson<ApInvitationPayload | null>(invitation.payload, null);
  if (!payload?.handle) throw new Error(`activitypub invitation ${invitation.id} has no recipient`);
  return payload.handle;
}
