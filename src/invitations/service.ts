import type { Kysely } from 'kysely';
import type { Database, Engine, InvitationRow } from '#db';
import type { Clock } from '#common/clock';
import { isoTime } from '#common/json';
import type { Page } from '#http/pagination';
import { issueAcceptanceToken } from '#acceptance';
import { getTenant } from '#tenants';
import type { ChannelAdapters } from './channels';
import { commitTransition } from './commit-transition';
import { createInvitation, type InvitationWithUrl } from './create';
import { invitationError, refuseUniqueViolation } from './errors';
import { listEvents, type Actor, type EventSink, type InvitationEvent } from './events';
import { findExpiredPendingIds, findInvitationByToken, getInvitationRow, listInvitations, lockInvitationByToken, lockInvitationRow } from './queries';
import { recordIncomingInvitation, type IncomingInvitationInput } from './incoming';
import { createRecipientActorRecorder } from './recipient-actor';
import { loadPublicView, publicView, type PublicInvitation } from './public-view';
import { invitedByOf, toInvitation, type Invitation } from './record';
import { redeem, type Redemption } from './redeem';
import type { AcceptorInput, CreateInvitationInput, InvitationQuery, UpdateInvitationInput } from './schemas';
import { findByToken, invitationUrl, mintInvitationToken, tokenHashOf } from './tokens';
import { createInvitationLinks, type LinkView } from './link-view';
import { checkWindow, windowEnd } from './window';

export type { InvitationWithUrl } from './create';

export interface InvitationServiceDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly publicUrl: string;
  /** Where events go besides the timeline: delivery's webhooks and email. */
  readonly sink: EventSink;
  /** Protocol channels (didcomm) and how they make their invitations; none by default. */
  readonly channels?: ChannelAdapters;
  /** The server secret links are derived from (USHER_LINK_SECRET or its file): the operator's view recomputes them. */
  readonly linkSecret: string;
  /** Whether an invitation's redirectUrl may be plain http (deployments allowing private addresses); false by default. */
  readonly allowHttpPages?: boolean;
}

/** What accepting produced. */
export interface AcceptResult {
  readonly invitationId: string;
  readonly invitation: PublicInvitation;
  readonly redemption: { readonly id: string; readonly createdAt: string };
  readonly membership: Redemption['membership'];
  /** A short-lived EdDSA JWT the host application can verify against /.well-known/jwks.json. */
  readonly acceptanceToken: { readonly token: string; readonly expiresAt: string };
  /** The invitation's redirect URL, else the tenant's, else null: where the accept page hands the token off (form_post). */
  readonly redirectUrl: string | null;
}

export type InvitationService = ReturnType<typeof createInvitationService>;

/** The invitation rules, for every surface: REST, compatibility APIs, console, CLI, protocol inboxes. */
export function createInvitationService(deps: InvitationServiceDeps) {
  const { db, engine, clock, publicUrl, sink, channels = {}, linkSecret, allowHttpPages = false } = deps;
  const links = createInvitationLinks({ db, clock, publicUrl, linkSecret });

  /** Runs `work` on the tenant's invitation, locked, inside one transaction. */
  async function withLocked<T>(tenantId: string, id: string, work: (trx: Kysely<Database>, row: InvitationRow) => Promise<T>): Promise<T> {
    return db.transaction().execute(async (trx) => {
      const row = await lockInvitationRow(trx, engine, { tenantId, id });
      if (!row) throw invitationError('invitation_not_found', `no invitation ${id} in this tenant`, 'path.id');
      return work(trx, row);
    });
  }

  async function withLockedToken<T>(token: string, work: (trx: Kysely<Database>, row: InvitationRow) => Promise<T>): Promise<T> {
    const notFound = () => invitationError('invitation_not_found', 'unknown invitation link', 'path.token');
    const hash = tokenHashOf(token);
    if (!hash) throw notFound();
    return db.transaction().execute(async (trx) => {
      const row = await lockInvitationByToken(trx, engine, hash);
      if (!row) throw notFound();
      return work(trx, row);
    });
  }

  /** Creates inside `trx`: the idempotency layer owns the transaction so its record commits with the invitation. */
  const createIn = (trx: Kysely<Database>, tenantId: string, input: CreateInvitationInput, actor: Actor) =>
    createInvitation(trx, { clock, publicUrl, sink, channels, linkKey: links.key, allowHttpPages }, tenantId, input, actor);

  return {
    createIn,

    /** Creates an invitation; the response carries its URL, which GET shows again while it is live. */
    async create(tenantId: string, input: CreateInvitationInput, actor: Actor): Promise<InvitationWithUrl> {
      return db.transaction().execute((trx) => createIn(trx, tenantId, input, actor));
    },

    async get(tenantId: string, id: string): Promise<Invitation> {
      return toInvitation(await getInvitationRow(db, tenantId, id), clock.now());
    },

    /** The invitation with, for protocol channels, its public URL (the ?oob= one) and, for link and email, its live link. */
    async getWithUrl(tenantId: string, id: string): Promise<Invitation & LinkView & { invitationUrl: string | null }> {
      const row = await getInvitationRow(db, tenantId, id);
      const adapter = row.direction === 'outgoing' ? channels[row.channel] : undefined;
      return { ...toInvitation(row, clock.now()), invitationUrl: adapter?.url(row) ?? null, ...(await links.view(row)) };
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
        const { row: updated } = await commitTransition(trx, row, 'update', { now, actor, sink, data: { fields: ['link'] } });
        return { ...toInvitation(updated, now), url: await links.moveToNext(trx, updated, now) };
      });
    },

    /**
     * Accepts on behalf of a protocol inbox (a DIDComm request, an ActivityPub Accept): one
     * redemption under the row lock, and `within` writes what the acceptance produced (the
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
        const now = clock.now();
        let result: { value: T } | undefined;
        await commitTransition(trx, row, 'accept', {
          now,
          actor,
          sink,
          data: async (accepted) => {
            const redemption = await redeem(trx, accepted, acceptor, now);
            result = { value: await within(trx, accepted, redemption) };
            return { redemptionId: redemption.id, membershipId: redemption.membership.id, member: redemption.membership.member.key };
          },
        });
        if (!result) throw new Error('accept committed without its result');
        return result.value;
      });
    },

    /** Records an invitation to one of our identities, in the caller's transaction. */
    recordIncoming(trx: Kysely<Database>, input: IncomingInvitationInput, actor: Actor, accepted: boolean): Promise<InvitationRow> {
      return recordIncomingInvitation(trx, input, { now: clock.now(), actor, sink, accepted });
    },

    async getByPurpose(tenantId: string, purpose: string): Promise<Invitation> {
      const row = await db.selectFrom('invitations').selectAll().where('tenant_id', '=', tenantId).where('purpose', '=', purpose).executeTakeFirst();
      if (!row) throw invitationError('invitation_not_found', `no invitation with purpose "${purpose}"`, 'path.purpose');
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
        const startsAt = patch.startsAt !== undefined ? (patch.startsAt === null ? null : new Date(patch.startsAt)) : row.starts_at ? new Date(row.starts_at) : null;
        const expiresAt = patch.expiresAt !== undefined ? new Date(patch.expiresAt) : new Date(row.expires_at);
        if (patch.startsAt !== undefined || patch.expiresAt !== undefined) checkWindow(startsAt, expiresAt, now);
        if (patch.usesAllowed !== undefined && patch.usesAllowed !== null && patch.usesAllowed <= row.uses_count) {
          throw invitationError('uses_allowed_below_used', `${row.uses_count} uses are already made`, 'body.usesAllowed');
        }
        const set: Partial<InvitationRow> = {
          ...(patch.label !== undefined ? { label: patch.label } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.purpose !== undefined ? { purpose: patch.purpose } : {}),
          ...(patch.startsAt !== undefined ? { starts_at: startsAt ? isoTime(startsAt) : null } : {}),
          ...(patch.expiresAt !== undefined ? { expires_at: isoTime(expiresAt) } : {}),
          ...(patch.usesAllowed !== undefined ? { uses_allowed: patch.usesAllowed } : {}),
          ...(patch.metadata !== undefined ? { metadata: JSON.stringify(patch.metadata) } : {}),
        };
        try {
          const { row: updated } = await commitTransition(trx, row, 'update', { now, actor, sink, set, data: { fields: Object.keys(patch) } });
          return toInvitation(updated, now);
        } catch (error) {
          refuseUniqueViolation(error);
        }
      });
    },

    async revoke(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        return toInvitation((await commitTransition(trx, row, 'revoke', { now, actor, sink })).row, now);
      });
    },

    /** Answers an invitation another server sent us; the answer's own channel carries it back (an event the channel's sink acts on). */
    async answerIncoming(tenantId: string, id: string, answer: 'accept' | 'tentative', actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        if (row.direction !== 'incoming') throw invitationError('invitation_not_incoming', 'an outgoing invitation is accepted by its invitee', 'path.id');
        const now = clock.now();
        return toInvitation((await commitTransition(trx, row, answer, { now, actor, sink })).row, now);
      });
    },

    /** Records the invitee's maybe (an ActivityPub TentativeAccept): the invitation stays open. */
    async tentativeAccept(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        return toInvitation((await commitTransition(trx, row, 'tentative', { now, actor, sink })).row, now);
      });
    },

    /** Declines on the invitee's behalf (an incoming invitation, or one answered out of band). */
    async decline(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        return toInvitation((await commitTransition(trx, row, 'decline', { now, actor, sink })).row, now);
      });
    },

    /** Moves to the next link (the old one stops working), restarts the expiry clock and sends again. */
    async resend(tenantId: string, id: string, actor: Actor): Promise<InvitationWithUrl> {
      return withLocked(tenantId, id, async (trx, row) => {
        // A link invitation has no recipient: "resend" could only change its link, which reset-link says plainly.
        if (row.channel === 'link') throw invitationError('link_needs_no_resend', 'reset its link with POST /v1/invitations/{id}/reset-link; change its expiry with PATCH', 'path.id');
        const now = clock.now();
        const tenant = await getTenant(trx, tenantId);
        const expiresAt = windowEnd(row.starts_at ? new Date(row.starts_at) : null, undefined, tenant.settings.defaultExpirySeconds, now);
        const { row: updated } = await commitTransition(trx, row, 'resend', {
          now,
          actor,
          sink,
          set: { expires_at: isoTime(expiresAt) },
          data: { expiresAt: isoTime(expiresAt) },
        });
        return { ...toInvitation(updated, now), url: await links.moveToNext(trx, updated, now) };
      });
    },

    /** Which invitation a link's token opens; unknown tokens are a 404. */
    async locateToken(token: string): Promise<{ tenantId: string; id: string }> {
      const found = await findByToken(db, token);
      if (!found) throw invitationError('invitation_not_found', 'unknown invitation link', 'body.token');
      return { tenantId: found.tenantId, id: found.invitationId };
    },

    /** What the accept page shows. A read: it never changes the invitation. */
    async viewByToken(token: string): Promise<PublicInvitation> {
      const hash = tokenHashOf(token);
      const row = hash ? await findInvitationByToken(db, hash) : null;
      if (!row) throw invitationError('invitation_not_found', 'unknown invitation link', 'path.token');
      return publicView(db, row, clock.now());
    },

    /** Accepts by the link's token: one redemption, one membership, under any concurrency. */
    async acceptByToken(token: string, acceptor: AcceptorInput): Promise<AcceptResult> {
      return withLockedToken(token, async (trx, row) => {
        const now = clock.now();
        let redemption: Redemption | undefined;
        const { row: updated } = await commitTransition(trx, row, 'accept', {
          now,
          actor: { kind: 'invitee' },
          sink,
          data: async (accepted) => {
            redemption = await redeem(trx, accepted, acceptor, now);
            return { redemptionId: redemption.id, membershipId: redemption.membership.id, member: redemption.membership.member.key };
          },
        });
        if (!redemption) throw new Error('accept committed without a redemption');
        const { membership } = redemption;
        const issued = await issueAcceptanceToken(
          trx,
          {
            tenantId: updated.tenant_id,
            issuer: publicUrl,
            invitationId: updated.id,
            redemptionId: redemption.id,
            target: { type: updated.target_type, iri: updated.target_iri, name: updated.target_name },
            role: membership.role,
            rules: membership.rules,
            recipient: membership.member,
            membershipId: membership.id,
            invitedBy: invitedByOf(updated),
          },
          now,
        );
        const { view, tenant } = await loadPublicView(trx, updated, now);
        return {
          invitationId: updated.id,
          invitation: view,
          redemption: { id: redemption.id, createdAt: redemption.createdAt },
          membership,
          acceptanceToken: { token: issued.token, expiresAt: issued.expiresAt },
          redirectUrl: updated.redirect_url ?? tenant.settings.redirectUrl,
        };
      });
    },

    async declineByToken(token: string): Promise<PublicInvitation> {
      return withLockedToken(token, async (trx, row) => {
        const now = clock.now();
        const { row: updated } = await commitTransition(trx, row, 'decline', { now, actor: { kind: 'invitee' }, sink });
        return publicView(trx, updated, now);
      });
    },

    /** Stores `expired` on pending invitations past their expiry; returns how many it expired. */
    async sweepExpired(batch = 500): Promise<number> {
      const due = await findExpiredPendingIds(db, clock.now(), batch);
      let expired = 0;
      for (const { id, tenant_id } of due) {
        try {
          await withLocked(tenant_id, id, (trx, row) => commitTransition(trx, row, 'expire', { now: clock.now(), actor: { kind: 'system' }, sink }));
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
