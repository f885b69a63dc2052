import { AppError } from '#common/errors';
import { encodeCursor, type Page } from '#http/pagination';
import { listPendingByEmail, type Actor, type Invitation } from '#invitations';
import { normalizeEmail } from '#tenants';
import type { CompatDeps } from '../deps';
import { inSurfaceTerms, inviteNotFound } from './errors';
import { INVITE_SCOPE, isListedInvite, toCreateInput, toInvite } from './mapping';
import { continueFrom, decodePageToken, encodePageToken, type PageState } from './page-token';
import {
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  type CreateInviteInput,
  type Invite,
  type ListInvitesQuery,
} from './schemas';

/** A v1ListInvitesResponse. */
export interface InviteList {
  readonly invites: Invite[];
  readonly next_page_token: string;
}

/** The query a list request stands for, whether it starts a list or continues one. */
function requestedPage(query: ListInvitesQuery): PageState {
  // AIP-158: 0 means the default, and more than the maximum is served the maximum, not refused.
  const pageSize = query.page_size ? Math.min(query.page_size, PAGE_SIZE_MAX) : null;
  if (query.page_token)
    return continueFrom(decodePageToken(query.page_token), { orderBy: query.order_by, email: query.email, pageSize });
  return {
    orderBy: query.order_by ?? 'DEFAULT',
    pageSize: pageSize ?? PAGE_SIZE_DEFAULT,
    email: normalizeEmail(query.email),
    after: null,
  };
}

/** Where the next page starts: the last invite's value in the page's sort order. */
function sortKey(state: PageState, last: Invitation) {
  return {
    value: state.orderBy === 'DISPLAY_NAME' ? (normalizeEmail(last.recipient.email) ?? '') : last.createdAt,
    id: last.id,
  };
}

/** The DataTrails invite operations, each a mapping onto the invitation service (no rule of its own). */
export function createInviteOperations({ db, clock, invitations }: CompatDeps) {
  /** The invitation behind `invites/{uuid}` if the surface shows it; otherwise the 404 the swagger names. */
  async function getListed(tenantId: string, uuid: string): Promise<Invitation> {
    const invitation = await invitations.get(tenantId, uuid).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'invitation_not_found') return null;
      throw error;
    });
    if (!invitation || !isListedInvite(invitation)) throw inviteNotFound(uuid);
    return invitation;
  }

  return {
    /** Creates the email invitation; the core sends it through the outbox and enforces one pending per address. */
    async create(tenantId: string, input: CreateInviteInput, actor: Actor): Promise<Invite> {
      return toInvite(await invitations.create(tenantId, toCreateInput(input), actor).catch(inSurfaceTerms));
    },

    async get(tenantId: string, uuid: string): Promise<Invite> {
      return toInvite(await getListed(tenantId, uuid));
    },

    /** "Deletes" by revoking: the link stops working and the history stays, as for every revoked invitation. */
    async remove(tenantId: string, uuid: string, actor: Actor): Promise<void> {
      await getListed(tenantId, uuid);
      await invitations.revoke(tenantId, uuid, actor).catch(inSurfaceTerms);
    },

    /** Pending invites, newest first through the core's list, or by address through our own query. */
    async list(tenantId: string, query: ListInvitesQuery): Promise<InviteList> {
      const state = requestedPage(query);
      const page: Page<Invitation> =
        state.orderBy === 'DISPLAY_NAME'
          ? await listPendingByEmail(
              db,
              tenantId,
              INVITE_SCOPE,
              state.email,
              { limit: state.pageSize, after: state.after },
              clock.now(),
            )
          : await invitations.list(tenantId, {
              ...INVITE_SCOPE,
              status: 'pending',
              email: state.email ?? undefined,
              sort: 'createdAt',
              order: 'desc',
              limit: state.pageSize,
              cursor: state.after ? encodeCursor(state.after) : undefined,
            });
      const last = page.data[page.data.length - 1];
      return {
        invites: page.data.map(toInvite),
        next_page_token: page.nextCursor && last ? encodePageToken(state, sortKey(state, last)) : '',
      };
    },
  };
}
