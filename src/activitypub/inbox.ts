/**
 * What arrives in our inboxes, once Fedify has checked its signature: an Invite for one of our
 * identities becomes an incoming invitation; an Accept, Reject or TentativeAccept of one of our
 * Invites answers it; an Undo of an Invite someone sent us withdraws it. Every activity is
 * recorded once, so a second delivery changes nothing.
 */
import type { Federation, InboxContext } from '@fedify/fedify';
import {
  Accept,
  Invite,
  isActor,
  Reject,
  TentativeAccept,
  Undo,
  type Activity as ApActivity,
} from '@fedify/fedify/vocab';
import type { Kysely } from 'kysely';
import type { Database } from '#db';
import type { Clock } from '#common/clock';
import { AppError } from '#common/errors';
import { findInvitationById, type InvitationService } from '#invitations';
import { contactFor, findIdentityByHandle } from '#tenants';
import { idOf, readInstrument, type Activity } from './activities';
import { recordActivity } from './activity-log';
import type { ApContextData } from './federation';
import type { ApUris } from './uris';

export interface InboxDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly uris: ApUris;
  readonly invitations: InvitationService;
  readonly logError: (error: unknown) => void;
}

const TARGET_TYPES: Readonly<Record<string, 'project' | 'event' | 'group'>> = {
  Event: 'event',
  Group: 'group',
  Organization: 'group',
};

/** Registers the inbox listeners on `federation`. */
export function attachInbox(federation: Federation<ApContextData>, deps: InboxDeps): void {
  federation
    .setInboxListeners('/ap/users/{identifier}/inbox', '/ap/inbox')
    .on(Invite, (ctx, invite) => receiveInvite(ctx, invite, deps))
    .on(Accept, (ctx, answer) => receiveAnswer(ctx, answer, 'accept', deps))
    .on(TentativeAccept, (ctx, answer) => receiveAnswer(ctx, answer, 'tentative', deps))
    .on(Reject, (ctx, answer) => receiveAnswer(ctx, answer, 'decline', deps))
    .on(Undo, (ctx, undo) => receiveUndo(ctx, undo, deps))
    .onError((_ctx, error) => deps.logError(error));
}

/** The activity as it arrived (Fedify's objects drop what the vocabulary does not know, such as `instrument.as`). */
function rawOf(ctx: InboxContext<ApContextData>, activity: ApActivity): Activity | null {
  const raw = ctx.data.raw;
  return raw && raw.id === activity.id?.href && typeof raw.actor !== 'undefined'
    ? ({ ...raw, actor: activity.actorId!.href } as Activity)
    : null;
}

async function receiveInvite(ctx: InboxContext<ApContextData>, invite: Invite, deps: InboxDeps): Promise<void> {
  const raw = rawOf(ctx, invite);
  const inviter = invite.actorId?.href;
  if (!raw || !inviter) return;
  const objectId = invite.objectId?.href ?? null;
  const targetId = invite.targetId?.href ?? null;
  // Either shape: the invitee is whichever end is one of our actors; the other end is what they are invited into.
  const objectHandle = deps.uris.handleOf(objectId);
  const handle = objectHandle ?? deps.uris.handleOf(targetId);
  if (!handle || (ctx.recipient !== null && ctx.recipient !== handle)) return;
  const identity = await findIdentityByHandle(deps.db, handle);
  if (!identity || identity.status !== 'active') return;
  const thingId = objectHandle ? targetId : objectId;
  const end = objectHandle ? 'target' : 'object';
  const described = async (iri: string) => embeddedThing(raw[end], iri) ?? (await describe(ctx, invite, end, iri));
  const thing = thingId && thingId !== inviter ? await described(thingId) : null;
  const actor = await invite.getActor(ctx).catch(() => null);
  const name = actor && isActor(actor) ? (actor.name?.toString() ?? actor.preferredUsername?.toString() ?? null) : null;
  const { role, rules } = readInstrument(raw.instrument);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    if (
      !(await recordActivity(
        trx,
        { tenantId: identity.tenantId, invitationId: null, direction: 'in', activity: raw },
        now,
      ))
    )
      return;
    const contact = await contactFor(trx, identity.tenantId, { actorIri: inviter, name }, now);
    const row = await deps.invitations.recordIncoming(
      trx,
      {
        tenantId: identity.tenantId,
        identityId: identity.id,
        channel: 'activitypub',
        from: { actorIri: inviter, name },
        contactId: contact.id,
        target: thing,
        role,
        rules,
        message: typeof raw.content === 'string' ? raw.content.slice(0, 2000) : null,
        payload: JSON.stringify(raw),
      },
      { kind: 'remote', iri: inviter },
      false,
    );
    await trx
      .updateTable('ap_activities')
      .set({ invitation_id: row.id })
      .where('tenant_id', '=', identity.tenantId)
      .where('direction', '=', 'in')
      .where('activity_id', '=', raw.id)
      .execute();
  });
}

/**
 * What an Invite invites into, as the inviter embedded it (`{ type, id, name }`, the form Usher sends): its id is often
 * the host application's own IRI on another origin, which Fedify would refetch rather than trust, and may not serve.
 * The name is the inviter's word about its own invitation, as the rest of the activity is.
 */
function embeddedThing(value: unknown, iri: string) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { id, type, name } = value as Record<string, unknown>;
  if (id !== iri || typeof name !== 'string') return null;
  const kind = (typeof type === 'string' ? TARGET_TYPES[type] : undefined) ?? ('project' as const);
  return { type: kind, iri, name: name.slice(0, 200) };
}

// What an Invite invites into: its type and name, fetched if it is not embedded; an unreachable one is still recorded
// by IRI.
async function describe(ctx: InboxContext<ApContextData>, invite: Invite, end: 'object' | 'target', iri: string) {
  const object = await (end === 'target' ? invite.getTarget(ctx) : invite.getObject(ctx)).catch(() => null);
  const typeName = object?.constructor.name ?? '';
  return {
    type: TARGET_TYPES[typeName] ?? ('project' as const),
    iri,
    name: object?.name?.toString().slice(0, 200) ?? null,
  };
}

async function receiveAnswer(
  ctx: InboxContext<ApContextData>,
  answer: Accept | Reject | TentativeAccept,
  kind: 'accept' | 'tentative' | 'decline',
  deps: InboxDeps,
): Promise<void> {
  const raw = rawOf(ctx, answer);
  const invitationId = deps.uris.inviteId(idOf(raw?.object) ?? answer.objectId?.href);
  if (!raw || !invitationId) return;
  const row = await findInvitationById(deps.db, invitationId);
  // Only the invitee may answer, and only an Invite we sent.
  if (!row || row.channel !== 'activitypub' || row.direction !== 'outgoing' || row.recipient_actor !== raw.actor)
    return;
  if (
    !(await recordActivity(
      deps.db,
      { tenantId: row.tenant_id, invitationId: row.id, direction: 'in', activity: raw },
      deps.clock.now(),
    ))
  )
    return;
  await refusalsAreFinal(deps, async () => {
    if (kind === 'accept')
      await deps.invitations.acceptWith(
        row.tenant_id,
        row.id,
        { actorIri: raw.actor },
        { kind: 'invitee' },
        async () => undefined,
      );
    else if (kind === 'tentative') await deps.invitations.tentativeAccept(row.tenant_id, row.id, { kind: 'invitee' });
    else await deps.invitations.decline(row.tenant_id, row.id, { kind: 'invitee' });
  });
}

async function receiveUndo(ctx: InboxContext<ApContextData>, undo: Undo, deps: InboxDeps): Promise<void> {
  const raw = rawOf(ctx, undo);
  const undone = idOf(raw?.object) ?? undo.objectId?.href;
  if (!raw || !undone) return;
  // The Invite it withdraws, as we recorded it, in whichever tenant it reached.
  const seen = await deps.db
    .selectFrom('ap_activities')
    .select(['tenant_id', 'invitation_id'])
    .where('direction', '=', 'in')
    .where('type', '=', 'Invite')
    .where('activity_id', '=', undone)
    .where('actor', '=', raw.actor)
    .execute();
  for (const { tenant_id: tenantId, invitation_id: invitationId } of seen) {
    if (
      !invitationId ||
      !(await recordActivity(deps.db, { tenantId, invitationId, direction: 'in', activity: raw }, deps.clock.now()))
    )
      continue;
    await refusalsAreFinal(deps, () =>
      deps.invitations.revoke(tenantId, invitationId, { kind: 'remote', iri: raw.actor }),
    );
  }
}

// An answer the lifecycle refuses (already accepted, expired) is recorded and dropped: the sender cannot fix it by
// retrying.
async function refusalsAreFinal(deps: InboxDeps, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}
