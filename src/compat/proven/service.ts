/**
 * The seven Proven operations over the core services: each maps its input, calls the core
 * (which owns every rule: uses, windows, unique purposes, the lifecycle) and maps the result.
 */
import { INVITATION_STATUSES, type Actor, type InvitationStatus } from '#invitations';
import { createContact } from '#tenants';
import type { CompatDeps } from '../deps';
import { provenError } from './errors';
import { toCreateInput, toProvenInvitation, toUpdatePatch } from './mapping';
import { findInvitationRef, listInvitationRefs, markDeleted, type InvitationRef } from './queries';
import { SORT_COLUMNS, type CreateBody, type ListQuery, type ProvenInvitation, type UpdateBody } from './schemas';

const isInvitationStatus = (value: string): value is InvitationStatus =>
  (INVITATION_STATUSES as readonly string[]).includes(value);

/** The Proven operations, as routes.ts calls them. */
export type ProvenService = ReturnType<typeof createProvenService>;

/** Builds the Proven operations for one app; every method is scoped to the calling tenant. */
export function createProvenService({ db, clock, invitations, didcomm }: CompatDeps) {
  /** The record, read through the core so status and URL are exactly what the native API shows. */
  async function present(tenantId: string, ref: InvitationRef): Promise<ProvenInvitation> {
    return toProvenInvitation(await invitations.getWithUrl(tenantId, ref.id), ref.payload);
  }

  /** The tenant's didcomm invitation with this Proven id, or null. */
  async function findByNumber(tenantId: string, number: number): Promise<ProvenInvitation | null> {
    const ref = await findInvitationRef(db, tenantId, { number });
    return ref ? present(tenantId, ref) : null;
  }

  return {
    findByNumber,

    /** A page, the total, and the effective query echoed under Proven's parameter names. */
    async list(tenantId: string, query: ListQuery) {
      const filter = query['state-filter'];
      const direction = query['sort-direction'].toUpperCase() as 'ASC' | 'DESC';
      const size = query['page-size'];
      const page = query['current-page'];
      // A state Usher never has matches no invitation: an empty page, as a filter, not a refusal.
      const known = filter === undefined || isInvitationStatus(filter);
      const { count, refs } = !known
        ? { count: 0, refs: [] }
        : await listInvitationRefs(
            db,
            tenantId,
            {
              column: SORT_COLUMNS[query['sort-field']],
              direction: direction === 'ASC' ? 'asc' : 'desc',
              limit: size,
              offset: (page - 1) * size,
              ...(filter !== undefined && isInvitationStatus(filter) ? { status: filter } : {}),
              ...(query['contact-id'] !== undefined ? { contactId: query['contact-id'] } : {}),
            },
            clock.now(),
          );
      const params = {
        'sort-field': query['sort-field'],
        'sort-direction': direction,
        'page-size': size,
        'current-page': page,
        'item-count': query['item-count'] ?? null,
        'state-filter': filter ?? null,
        'contact-id': query['contact-id'] ?? null,
      };
      return { params, count, rows: await Promise.all(refs.map((ref) => present(tenantId, ref))) };
    },

    /**
     * Creates a didcomm invitation; Proven's answer names it by number, gives its ?oob= (or ?c_i=)
     * URL and the contact its connection will belong to: the caller's, or one made in the same
     * transaction (named by the alias) when the caller names none, as Proven makes one per invitation.
     */
    async create(tenantId: string, body: CreateBody, actor: Actor) {
      const input = toCreateInput(body);
      const created = await db.transaction().execute(async (trx) => {
        const contactId =
          input.recipient?.contactId ??
          (await createContact(trx, tenantId, { name: body.alias ?? null }, clock.now())).id;
        return invitations.createIn(trx, tenantId, { ...input, recipient: { ...input.recipient, contactId } }, actor);
      });
      if (created.number === null || created.url === null || created.recipient.contactId === null)
        throw new Error(`invitation ${created.id} was created without a number, URL or contact`);
      return { invitation_url: created.url, invitation_id: created.number, contact_id: created.recipient.contactId };
    },

    /**
     * Accepts another agent's invitation URL: the incoming invitation, and the connection whose request is on its way.
     */
    async accept(tenantId: string, invitationUrl: string, actor: Actor) {
      const connection = await didcomm.acceptInvitationUrl(tenantId, { invitationUrl }, actor);
      const ref = connection.invitationId
        ? await findInvitationRef(db, tenantId, { id: connection.invitationId })
        : null;
      if (!ref) throw new Error(`connection ${connection.id} has no incoming invitation`);
      return {
        ...(await present(tenantId, ref)),
        connection_id: connection.id,
        rfc23_state: connection.state,
        connection_protocol: connection.protocol,
        their_label: connection.theirLabel,
        invitation_msg_id: connection.invitationMessageId,
      };
    },

    /** The tenant's didcomm invitation with this purpose, or null. */
    async findByPurpose(tenantId: string, purpose: string): Promise<ProvenInvitation | null> {
      const ref = await findInvitationRef(db, tenantId, { purpose });
      return ref ? present(tenantId, ref) : null;
    },

    /**
     * Applies the changed fields, then revokes for workflow_status inactive. Everything is checked
     * before anything is written; the two writes are separate core calls, so an invitation accepted
     * between them keeps the update and answers 400 for the revoke.
     */
    async update(tenantId: string, number: number, body: UpdateBody, actor: Actor): Promise<ProvenInvitation | null> {
      const ref = await findInvitationRef(db, tenantId, { number });
      if (!ref) return null;
      const { workflow_status: asked, ...fields } = body;
      // Usher's two workflow states, in any case; another value (the spec has no enum) is taken and changes nothing.
      const workflow = asked?.toLowerCase();
      const patch = toUpdatePatch(fields);
      const changes = Object.keys(patch).length > 0;
      if (workflow === 'active' && !changes) {
        // Nothing to write: "active" only holds if the invitation can still be used; Usher never reopens one.
        const current = await present(tenantId, ref);
        if (current.workflow_status !== 'active')
          throw provenError(
            'validation_failed',
            `invitation ${number} is ${current.invitation_status} and cannot be made active again`,
            'workflow_status',
          );
        return current;
      }
      if (changes) await invitations.update(tenantId, ref.id, patch, actor);
      if (workflow === 'inactive') await invitations.revoke(tenantId, ref.id, actor);
      return present(tenantId, ref);
    },

    /**
     * Deletes for Proven, keeps for Usher: an open invitation is revoked (its URL stops working),
     * then marked deleted, after which no Proven read finds it; the native API still shows it, as
     * revoked (or as it closed), with its history. Revoking first means a failure between the two
     * steps leaves a revoked invitation still visible, never a hidden one that still works.
     */
    async remove(tenantId: string, number: number, actor: Actor): Promise<boolean> {
      const ref = await findInvitationRef(db, tenantId, { number });
      if (!ref) return false;
      const isOpen = async () => (await present(tenantId, ref)).workflow_status === 'active';
      if (await isOpen()) {
        await invitations.revoke(tenantId, ref.id, actor).catch(async (error: unknown) => {
          // Closed meanwhile (accepted, or revoked by a concurrent delete): nothing left to revoke.
          if (await isOpen()) throw error;
        });
      }
      await markDeleted(db, tenantId, ref.id, clock.now());
      return true;
    },
  };
}
