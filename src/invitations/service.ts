import type { Kysely } from 'kysely';
import type { Database, Db, Engine, InvitationRow, ShortMemory } from '#db';
import type { Clock } from '#common/clock';
import { isoTime } from '#common/json';
import type { Page } from '#http/pagination';
import type { AuditChange, AuditTrail } from '#audit';
import { getTenant } from '#tenants';
import type { ChannelRegistry } from './channel-registry';
import { acceptKeepingSeat, findTakenSeat } from './taken-seat';
import { commitAcceptance } from './commit-acceptance';
import { commitTransition } from './commit-transition';
import { createInvitation, type InvitationWithUrl } from './create';
import { createDidChallenges, type DidProofVerifier } from './did-challenges';
import { invitationError, refuseUniqueViolation } from './errors';
import { combineSinks, listEvents, type Actor, type EventSink, type InvitationEvent } from './events';
import { recordIncomingInvitation, type IncomingInvitationInput } from './incoming';
import type { LifecycleAction } from './lifecycle';
import { createRecipientActorRecorder } from './recipient-actor';
import { createInvitationLinks, type LinkView } from './link-view';
import { withLockedRow, type LockedWork } from './locked-row';
import { patchColumns } from './patch-columns';
import {
  findExpiredPendingIds,
  findInvitationByPurpose,
  getInvitationRow,
  listInvitations,
  lockInvitationRow,
} from './queries';
import { toInvitation, type Invitation } from './record';
import type { Redemption } from './redeem';
import type { CreateInvitationInput, InvitationQuery, UpdateInvitationInput } from './schemas';
import type { AcceptorInput } from './public-schemas';
import { createTokenFlows, type MailQueue } from './token-flows';
import { createJoinDecisions } from './join-request-flows';
import { windowEnd } from './window';

export type { InvitationWithUrl } from './create';
export type { AcceptResult, JoinRequestAnswer } from './token-flows';

export interface InvitationServiceDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly publicUrl: string;
  /** Where events go besides the timeline: delivery's webhooks and email. Each channel's own sink comes after it. */
  readonly sink: EventSink;
  /** The channels this server delivers: their names, options, checks, adapters and sinks. */
  readonly channels: ChannelRegistry;
  /** The server secret links are derived from (USHER_LINK_SECRET or its file): the operator's view recomputes them. */
  readonly linkSecret: string;
  /**
   * Whether an invitation's redirectUrl may be plain http (deployments allowing private addresses); false by default.
   */
  readonly allowHttpPages?: boolean;
  /** Where revocations and edits made with a key are recorded, in their transaction; none: not recorded. */
  readonly audit?: AuditTrail;
  /** The outbox, for the codes that prove an address on a link with allowed domains. */
  readonly mail: MailQueue;
  /** Checks proofs of a DID for DID-bound invitations (didcomm's verifyDidProof); none: they refuse every accept. */
  readonly verifyDidProof?: DidProofVerifier;
  /** Where inviters and signing keys read are remembered for a moment (ShortMemory). */
  readonly memory: ShortMemory;
}

export type InvitationService = ReturnType<typeof createInvitationService>;

/** The invitation rules, for every surface: REST, compatibility APIs, console, CLI, protocol inboxes. */
export function createInvitationService(deps: InvitationServiceDeps) {
  const { db, engine, clock, publicUrl, channels, linkSecret, allowHttpPages = false } = deps;
  const sink = combineSinks(deps.sink, channels.sink);
  const links = createInvitationLinks({
    db,
    clock,
    publicUrl,
    linkSecret,
    mintsLink: (channel) => channels.get(channel)?.mintsLink === true,
  });
  const recordIncoming = (
    trx: Db,
    input: IncomingInvitationInput,
    actor: Actor,
    accepted: boolean,
  ): Promise<InvitationRow> => recordIncomingInvitation(trx, input, { now: clock.now(), actor, sink, accepted });
  const { memory } = deps;
  const createDeps = { clock, publicUrl, sink, channels, linkKey: links.key, allowHttpPages, recordIncoming, memory };

  /** Runs `work` on the tenant's invitation, locked, inside one transaction. */
  function withLocked<T>(tenantId: string, id: string, work: LockedWork<T>): Promise<T> {
    const notFound = () => invitationError('invitation_not_found', `no invitation ${id} in this tenant`, 'path.id');
    return withLockedRow(db, (trx) => lockInvitationRow(trx, engine, { tenantId, id }), notFound, work);
  }

  /** Records a change a key made (not the invitee's, a peer's or Usher's own) on the tenant's audit trail. */
  async function audit(trx: Db, tenantId: string, actor: Actor, change: AuditChange): Promise<void> {
    if (actor.kind !== 'api_key' || !deps.audit) return;
    const who = { keyId: actor.id, keyName: actor.name ?? null, surface: actor.surface ?? 'api' };
    await deps.audit.scope(tenantId, who)(trx, change);
  }

  /**
   * The one path of the transitions that change only the status (revoke, decline, the answers, expiry):
   * under the row lock, `check` refuses first if it must, and the lifecycle decides the rest.
   */
  function act(
    tenantId: string,
    id: string,
    action: LifecycleAction,
    actor: Actor,
    check?: (row: InvitationRow) => void,
    audited?: AuditChange['action'],
  ): Promise<Invitation> {
    return withLocked(tenantId, id, async (trx, row) => {
      check?.(row);
      const now = clock.now();
      const { row: changed } = await commitTransition(trx, row, action, { now, actor, sink });
      if (audited) await audit(trx, tenantId, actor, { action: audited, subjectType: 'invitation', subjectId: id });
      return toInvitation(changed, now);
    });
  }

  /** The invitation as stored after a change that gave it its next link: the old one stops working at once. */
  async function withNextLink(trx: Kysely<Database>, updated: InvitationRow, now: Date): Promise<InvitationWithUrl> {
    return { ...toInvitation(updated, now), url: await links.moveToNext(trx, updated, now) };
  }

  /** Creates inside `trx`: the idempotency layer owns the transaction so its record commits with the invitation. */
  const createIn = (trx: Kysely<Database>, tenantId: string, input: CreateInvitationInput, actor: Actor) =>
    createInvitation(trx, createDeps, tenantId, input, actor);

  return {
    /** The registered channels, and the request schemas that name them (routes, compat, console parse with these). */
    channels,
    createIn,

    /** Creates an invitation; the response carries its URL, which GET shows again while it is live. */
    async create(tenantId: string, input: CreateInvitationInput, actor: Actor): Promise<InvitationWithUrl> {
      return db.transaction().execute((trx) => createIn(trx, tenantId, input, actor));
    },

    async get(tenantId: string, id: string): Promise<Invitation> {
      return toInvitation(await getInvitationRow(db, tenantId, id), clock.now());
    },

    /** The invitation with, for protocol channels, its public URL (the ?oob= one), for link and email its live link. */
    async getWithUrl(tenantId: string, id: string): Promise<Invitation & LinkView & { invitationUrl: string | null }> {
      const row = await getInvitationRow(db, tenantId, id);
      const adapter = row.direction === 'outgoing' ? channels.get(row.channel)?.adapter : undefined;
      const invitationUrl = adapter?.url(row) ?? null;
      return { ...toInvitation(row, clock.now()), invitationUrl, ...(await links.view(row)) };
    },

    /** The live link of a link or email invitation, for its QR code; refuses when there is none to show. */
    async liveUrl(tenantId: string, id: string): Promise<string> {
      return links.liveUrl(await getInvitationRow(db, tenantId, id));
    },

    /**
     * Gives a pending link or email invitation its next link: the old one (and any printed QR code of it)
     * stops working at once. Nothing is sent; for email, resend does this and mails the new link.
     */
    async resetLink(tenantId: string, id: string, actor: Actor): Promise<InvitationWithUrl> {
      return withLocked(tenantId, id, async (trx, row) => {
        links.assertHasLink(row);
        const now = clock.now();
        const context = { now, actor, sink, data: { fields: ['link'] } };
        return withNextLink(trx, (await commitTransition(trx, row, 'update', context)).row, now);
      });
    },

    /**
     * Accepts on behalf of a protocol inbox (a DIDComm request, an ActivityPub Accept): one redemption under the
     * row lock (one seat per person: see acceptKeepingSeat), and `within` writes what the acceptance produced (the
     * connection, its outgoing response) in the same transaction. A refusal writes nothing.
     */
    async acceptWith<T>(
      tenantId: string,
      id: string,
      acceptor: AcceptorInput,
      actor: Actor,
      within: (trx: Kysely<Database>, accepted: InvitationRow, redemption: Redemption) => Promise<T>,
    ): Promise<T> {
      return withLocked(tenantId, id, async (trx, row) => {
        const context = { now: clock.now(), actor, sink };
        const produce = (accepted: InvitationRow, redemption: Redemption) => within(trx, accepted, redemption);
        return acceptKeepingSeat(trx, row, acceptor, context, produce);
      });
    },

    /**
     * Admits over a connection that already exists (DIDComm handshake reuse): the seat this invitation already gave
     * the acceptor comes back and consumes no use (`existing`), anyone else is accepted as by acceptWith.
     */
    async seatFor(
      tenantId: string,
      id: string,
      acceptor: AcceptorInput,
      actor: Actor,
    ): Promise<{ redemption: Redemption; existing: boolean }> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        const seat = await findTakenSeat(trx, row, acceptor, now);
        if (seat) return { redemption: seat, existing: true };
        const { redemption } = await commitAcceptance(trx, row, acceptor, { now, actor, sink });
        return { redemption, existing: false };
      });
    },

    /** Records an invitation to one of our identities, in the caller's transaction. */
    recordIncoming,

    async getByPurpose(tenantId: string, purpose: string): Promise<Invitation> {
      const row = await findInvitationByPurpose(db, tenantId, purpose);
      const notFound = `no invitation with purpose "${purpose}"`;
      if (!row) throw invitationError('invitation_not_found', notFound, 'path.purpose');
      return toInvitation(row, clock.now());
    },

    async list(tenantId: string, query: InvitationQuery): Promise<Page<Invitation>> {
      return listInvitations(db, tenantId, query, clock.now());
    },

    async events(tenantId: string, id: string): Promise<InvitationEvent[]> {
      await getInvitationRow(db, tenantId, id);
      return listEvents(db, tenantId, id);
    },

    /** Changes the editable fields of a pending invitation. */
    async update(tenantId: string, id: string, patch: UpdateInvitationInput, actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        const set = patchColumns(row, patch, now);
        try {
          const data = { fields: Object.keys(patch) };
          const { row: changed } = await commitTransition(trx, row, 'update', { now, actor, sink, set, data });
          const edited = {
            action: 'invitation.edited',
            subjectType: 'invitation',
            subjectId: id,
            changes: data,
          } as const;
          await audit(trx, tenantId, actor, edited);
          return toInvitation(changed, now);
        } catch (error) {
          refuseUniqueViolation(error);
        }
      });
    },

    async revoke(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return act(tenantId, id, 'revoke', actor, undefined, 'invitation.revoked');
    },

    /**
     * Answers an invitation another server sent us; the answer's own channel carries it back (an event
     * the channel's sink acts on).
     */
    async answerIncoming(
      tenantId: string,
      id: string,
      answer: 'accept' | 'tentative',
      actor: Actor,
    ): Promise<Invitation> {
      return act(tenantId, id, answer, actor, (row) => {
        if (row.direction === 'incoming') return;
        const detail = 'an outgoing invitation is accepted by its invitee';
        throw invitationError('invitation_not_incoming', detail, 'path.id');
      });
    },

    /** Records the invitee's maybe (an ActivityPub TentativeAccept): the invitation stays open. */
    async tentativeAccept(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return act(tenantId, id, 'tentative', actor);
    },

    /** Declines on the invitee's behalf (an incoming invitation, or one answered out of band). */
    async decline(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return act(tenantId, id, 'decline', actor);
    },

    /** Moves to the next link (the old one stops working), restarts the expiry clock and sends again. */
    async resend(tenantId: string, id: string, actor: Actor): Promise<InvitationWithUrl> {
      return withLocked(tenantId, id, async (trx, row) => {
        // A link invitation has no recipient: "resend" could only change its link, which reset-link says plainly.
        if (row.channel === 'link') {
          const detail = 'reset its link with POST /v1/invitations/{id}/reset-link; change its expiry with PATCH';
          throw invitationError('link_needs_no_resend', detail, 'path.id');
        }
        const now = clock.now();
        const tenant = await getTenant(trx, tenantId);
        const startsAt = row.starts_at ? new Date(row.starts_at) : null;
        const expiresAt = isoTime(windowEnd(startsAt, undefined, tenant.settings.defaultExpirySeconds, now));
        const context = { now, actor, sink, set: { expires_at: expiresAt }, data: { expiresAt } };
        return withNextLink(trx, (await commitTransition(trx, row, 'resend', context)).row, now);
      });
    },

    ...createTokenFlows({
      db,
      engine,
      clock,
      publicUrl,
      sink,
      linkKey: links.key,
      mail: deps.mail,
      verifyDidProof: deps.verifyDidProof,
      memory,
    }),
    ...createJoinDecisions({ db, clock, sink, withLocked, audit }),
    ...createDidChallenges({ db, clock }),

    /** Stores `expired` on pending invitations past their expiry; returns how many it expired. */
    async sweepExpired(batch = 500): Promise<number> {
      const due = await findExpiredPendingIds(db, clock.now(), batch);
      let expired = 0;
      for (const { id, tenant_id } of due) {
        try {
          await act(tenant_id, id, 'expire', { kind: 'system' });
          expired += 1;
        } catch {
          // Changed since it was read (accepted, revoked, extended): nothing to expire.
        }
      }
      return expired;
    },

    recordRecipientActor: createRecipientActorRecorder({ db, engine, clock, sink }),
  };
}
