import type { Kysely } from 'kysely';
import type { Database, Engine, InvitationRow } from '#db';
import { isUniqueViolation } from '#db';
import type { Clock } from '#common/clock';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import type { Page } from '#http/pagination';
import { getContact, getDefaultIdentity, getIdentity, getTenant, normalizeEmail } from '#tenants';
import { commitTransition } from './commit-transition';
import { invitationError } from './errors';
import { listEvents, writeEvents, type Actor, type InvitationEvent } from './events';
import { findExpiredPendingIds, getInvitationRow, listInvitations, lockInvitationRow } from './queries';
import { publicView, type PublicInvitation } from './public-view';
import { SUPPORTED_CHANNELS, targetKey, toInvitation, type Invitation } from './record';
import { redeem, type Redemption } from './redeem';
import type { AcceptorInput, CreateInvitationInput, InvitationQuery, UpdateInvitationInput } from './schemas';
import { hashInvitationToken, invitationUrl, isWellFormedToken, newInvitationToken } from './token';

export interface InvitationServiceDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly publicUrl: string;
}

/** An invitation with the link minted for it: only create and resend return one. */
export interface InvitationWithUrl extends Invitation {
  readonly url: string | null;
}

/** What accepting produced. */
export interface AcceptResult {
  readonly invitation: PublicInvitation;
  readonly redemption: { readonly id: string; readonly createdAt: string };
  readonly membership: Redemption['membership'];
}

export type InvitationService = ReturnType<typeof createInvitationService>;

/** The invitation rules, for every surface: REST, compatibility APIs, console, CLI, protocol inboxes. */
export function createInvitationService({ db, engine, clock, publicUrl }: InvitationServiceDeps) {
  /** Runs `work` on the tenant's invitation, locked, inside one transaction. */
  async function withLocked<T>(tenantId: string, id: string, work: (trx: Kysely<Database>, row: InvitationRow) => Promise<T>): Promise<T> {
    return db.transaction().execute(async (trx) => {
      const row = await lockInvitationRow(trx, engine, { tenantId, id });
      if (!row) throw invitationError('invitation_not_found', `no invitation ${id} in this tenant`, 'path.id');
      return work(trx, row);
    });
  }

  async function withLockedToken<T>(token: string, work: (trx: Kysely<Database>, row: InvitationRow) => Promise<T>): Promise<T> {
    if (!isWellFormedToken(token)) throw invitationError('invitation_not_found', 'unknown invitation link', 'path.token');
    return db.transaction().execute(async (trx) => {
      const row = await lockInvitationRow(trx, engine, { tokenHash: hashInvitationToken(token) });
      if (!row) throw invitationError('invitation_not_found', 'unknown invitation link', 'path.token');
      return work(trx, row);
    });
  }

  /** Expires, in `trx`, pending invitations to the same address and target whose time ran out. */
  async function expireStaleDuplicates(trx: Kysely<Database>, tenantId: string, email: string, key: string, now: Date): Promise<void> {
    const stale = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('recipient_email_normalized', '=', email)
      .where('target_key', '=', key)
      .where('status', '=', 'pending')
      .execute();
    for (const row of stale) {
      if (now.getTime() >= Date.parse(row.expires_at)) {
        await commitTransition(trx, row, 'expire', { now, actor: { kind: 'system' } });
      } else {
        throw invitationError('invitation_already_pending', `invitation ${row.id} to ${email} is still pending; resend or revoke it`, 'body.recipient.email', {
          existingInvitationId: row.id,
        });
      }
    }
  }

  function windowEnd(startsAt: Date | null, expiresAt: string | undefined, ttlSeconds: number, now: Date): Date {
    if (expiresAt) return new Date(expiresAt);
    const from = startsAt && startsAt > now ? startsAt : now;
    return new Date(from.getTime() + ttlSeconds * 1000);
  }

  function checkWindow(startsAt: Date | null, expiresAt: Date, now: Date): void {
    if (expiresAt.getTime() <= now.getTime()) throw invitationError('invalid_window', 'expiresAt must be in the future', 'body.expiresAt');
    if (startsAt && startsAt.getTime() >= expiresAt.getTime()) {
      throw invitationError('invalid_window', 'startsAt must be before expiresAt', 'body.startsAt');
    }
  }

  function translateUnique(error: unknown): never {
    if (isUniqueViolation(error)) {
      const text = `${(error as { constraint?: string }).constraint ?? ''} ${(error as Error).message}`;
      if (text.includes('purpose')) throw invitationError('purpose_taken', undefined, 'body.purpose');
      if (text.includes('pending') || text.includes('recipient_email')) {
        throw invitationError('invitation_already_pending', undefined, 'body.recipient.email');
      }
    }
    throw error;
  }

  /** Creates an invitation and mints its link, inside `trx` (which the idempotency layer may own). */
  async function createIn(trx: Kysely<Database>, tenantId: string, input: CreateInvitationInput, actor: Actor): Promise<InvitationWithUrl> {
    const now = clock.now();
    if (!SUPPORTED_CHANNELS.includes(input.channel)) {
      throw invitationError('channel_not_supported', `the ${input.channel} channel is not available on this server yet`, 'body.channel');
    }
    const identity = input.identityId ? await getIdentity(trx, tenantId, input.identityId, 'body.identityId') : await getDefaultIdentity(trx, tenantId);
    if (identity.status !== 'active') throw invitationError('identity_disabled', undefined, 'body.identityId');
    const contact = input.recipient?.contactId ? await getContact(trx, tenantId, input.recipient.contactId, 'body.recipient.contactId') : null;
    const email = input.recipient?.email ?? contact?.email ?? null;
    if (input.channel === 'email' && !email) {
      throw invitationError('recipient_required', 'an email invitation needs recipient.email or a contact with an email', 'body.recipient.email');
    }
    const tenant = await getTenant(trx, tenantId);
    const startsAt = input.startsAt ? new Date(input.startsAt) : null;
    const expiresAt = windowEnd(startsAt, input.expiresAt, tenant.settings.defaultExpirySeconds, now);
    checkWindow(startsAt, expiresAt, now);
    const target = input.target.type === 'tenant' ? { type: 'tenant' as const, iri: null, name: null } : input.target;
    const key = targetKey(target);
    const emailNormalized = normalizeEmail(email);
    if (emailNormalized) await expireStaleDuplicates(trx, tenantId, emailNormalized, key, now);

    const { token, tokenHash } = newInvitationToken();
    const row: InvitationRow = {
      id: newId(now.getTime()),
      tenant_id: tenantId,
      identity_id: identity.id,
      channel: input.channel,
      direction: 'outgoing',
      status: 'pending',
      recipient_email: email,
      recipient_email_normalized: emailNormalized,
      recipient_contact_id: contact?.id ?? null,
      recipient_did: input.recipient?.did ?? contact?.did ?? null,
      recipient_actor: input.recipient?.actorIri ?? contact?.actorIri ?? null,
      recipient_provider: null,
      recipient_name: input.recipient?.name ?? contact?.name ?? null,
      target_type: target.type,
      target_key: key,
      target_iri: target.iri,
      target_name: target.name,
      role: input.role ?? null,
      rules: JSON.stringify(input.rules),
      message: input.message ?? null,
      label: input.label ?? null,
      description: input.description ?? null,
      purpose: input.purpose ?? null,
      public: input.public ? 1 : 0,
      uses_allowed: input.usesAllowed,
      uses_count: 0,
      starts_at: startsAt ? isoTime(startsAt) : null,
      expires_at: isoTime(expiresAt),
      token_hash: tokenHash,
      payload: null,
      metadata: JSON.stringify(input.metadata),
      locale: input.locale ?? null,
      version: 0,
      created_at: isoTime(now),
      updated_at: isoTime(now),
    };
    try {
      await trx.insertInto('invitations').values(row).execute();
    } catch (error) {
      translateUnique(error);
    }
    await writeEvents(trx, row, { previousStatus: null, status: 'pending', events: ['invitation.created'] }, actor, { channel: row.channel }, now);
    return { ...toInvitation(row, now), url: invitationUrl(publicUrl, token) };
  }

  return {
    createIn,

    /** Creates an invitation; the response carries its URL, the only time it is shown. */
    async create(tenantId: string, input: CreateInvitationInput, actor: Actor): Promise<InvitationWithUrl> {
      return db.transaction().execute((trx) => createIn(trx, tenantId, input, actor));
    },

    async get(tenantId: string, id: string): Promise<Invitation> {
      return toInvitation(await getInvitationRow(db, tenantId, id), clock.now());
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
          const { row: updated } = await commitTransition(trx, row, 'update', { now, actor, set, data: { fields: Object.keys(patch) } });
          return toInvitation(updated, now);
        } catch (error) {
          translateUnique(error);
        }
      });
    },

    async revoke(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        return toInvitation((await commitTransition(trx, row, 'revoke', { now, actor })).row, now);
      });
    },

    /** Declines on the invitee's behalf (an incoming invitation, or one answered out of band). */
    async decline(tenantId: string, id: string, actor: Actor): Promise<Invitation> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        return toInvitation((await commitTransition(trx, row, 'decline', { now, actor })).row, now);
      });
    },

    /** Mints a new link (the old one stops working) and restarts the expiry clock. */
    async resend(tenantId: string, id: string, actor: Actor): Promise<InvitationWithUrl> {
      return withLocked(tenantId, id, async (trx, row) => {
        const now = clock.now();
        const tenant = await getTenant(trx, tenantId);
        const expiresAt = windowEnd(row.starts_at ? new Date(row.starts_at) : null, undefined, tenant.settings.defaultExpirySeconds, now);
        const { token, tokenHash } = newInvitationToken();
        const { row: updated } = await commitTransition(trx, row, 'resend', {
          now,
          actor,
          set: { token_hash: tokenHash, expires_at: isoTime(expiresAt) },
          data: { expiresAt: isoTime(expiresAt) },
        });
        return { ...toInvitation(updated, now), url: invitationUrl(publicUrl, token) };
      });
    },

    /** What the accept page shows. A read: it never changes the invitation. */
    async viewByToken(token: string): Promise<PublicInvitation> {
      if (!isWellFormedToken(token)) throw invitationError('invitation_not_found', 'unknown invitation link', 'path.token');
      const row = await db.selectFrom('invitations').selectAll().where('token_hash', '=', hashInvitationToken(token)).executeTakeFirst();
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
          data: async (accepted) => {
            redemption = await redeem(trx, accepted, acceptor, now);
            return { redemptionId: redemption.id, membershipId: redemption.membership.id, member: redemption.membership.member.key };
          },
        });
        if (!redemption) throw new Error('accept committed without a redemption');
        return {
          invitation: await publicView(trx, updated, now),
          redemption: { id: redemption.id, createdAt: redemption.createdAt },
          membership: redemption.membership,
        };
      });
    },

    async declineByToken(token: string): Promise<PublicInvitation> {
      return withLockedToken(token, async (trx, row) => {
        const now = clock.now();
        const { row: updated } = await commitTransition(trx, row, 'decline', { now, actor: { kind: 'invitee' } });
        return publicView(trx, updated, now);
      });
    },

    /** Stores `expired` on pending invitations past their expiry; returns how many it expired. */
    async sweepExpired(batch = 500): Promise<number> {
      const due = await findExpiredPendingIds(db, clock.now(), batch);
      let expired = 0;
      for (const { id, tenant_id } of due) {
        try {
          await withLocked(tenant_id, id, (trx, row) => commitTransition(trx, row, 'expire', { now: clock.now(), actor: { kind: 'system' } }));
          expired += 1;
        } catch {
          // Changed since it was read (accepted, revoked, extended): nothing to expire.
        }
      }
      return expired;
    },
  };
}
