/**
 * Keyset pages of pending invitations in orders or scopes the core list has no form for, read by
 * the compatibility surfaces. "Pending" is the core status filter's: stored pending, expiry still
 * ahead. Every read stays inside one tenant.
 */
import type { Db } from '#db';
import { keysetPage, toPage } from '#db/keyset';
import { isoTime } from '#common/json';
import type { Cursor, Page } from '#http/pagination';
import { toInvitation, type Invitation } from './record';

/** Which outgoing invitations a page holds: one channel, direction and target type. */
export interface InvitationScope {
  readonly channel: string;
  readonly direction: string;
  readonly target: string;
}

/** A page's size and, after the first, where the last one ended. */
export interface PageRequest {
  readonly limit: number;
  readonly after: Cursor | null;
}

/**
 * A page of the tenant's pending invitations in `scope` ordered by address, optionally to one
 * address only. The core list sorts by time only, and its cursors hold only timestamps.
 */
export async function listPendingByEmail(
  db: Db,
  tenantId: string,
  scope: InvitationScope,
  email: string | null,
  page: PageRequest,
  now: Date,
): Promise<Page<Invitation>> {
  let query = db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('channel', '=', scope.channel)
    .where('direction', '=', scope.direction)
    .where('target_key', '=', scope.target)
    .where('status', '=', 'pending')
    .where('expires_at', '>', isoTime(now));
  if (email) query = query.where('recipient_email_normalized', '=', email);
  // Addresses are unique here (one pending invitation per address and target); the id keeps the keyset total anyway.
  const rows = await keysetPage(query, 'recipient_email_normalized', 'asc', page.after, page.limit).execute();
  return toPage(rows, page.limit, 'recipient_email_normalized', (row) => toInvitation(row, now));
}

/** A page of the identity's pending outgoing invitations on any of `channels`, newest first. */
export async function listPendingOfIdentity(
  db: Db,
  tenantId: string,
  identityId: string,
  channels: readonly string[],
  page: PageRequest,
  now: Date,
): Promise<Page<Invitation>> {
  const query = db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('identity_id', '=', identityId)
    .where('direction', '=', 'outgoing')
    .where('channel', 'in', [...channels])
    .where('status', '=', 'pending')
    .where('expires_at', '>', isoTime(now));
  const rows = await keysetPage(query, 'created_at', 'desc', page.after, page.limit).execute();
  return toPage(rows, page.limit, 'created_at', (row) => toInvitation(row, now));
}
