import type { Db } from '#db';
import { keysetPage, toPage } from '#db/keyset';
import { isoTime } from '#common/json';
import type { Cursor, Page } from '#http/pagination';
import { toInvitation, type Invitation } from '#invitations';
import { normalizeEmail } from '#tenants';
import { INVITE_SCOPE } from './mapping';

/** What a DISPLAY_NAME page asks for. */
export interface ByEmailQuery {
  readonly email: string | null;
  readonly limit: number;
  readonly after: Cursor | null;
}

/**
 * A page of the tenant's pending DataTrails invites ordered by address (order_by=DISPLAY_NAME).
 * The core list sorts by time only, and its cursors hold only timestamps, so this one query
 * lives here; it applies the same scope and the same "pending" as the core's status filter
 * (stored pending, expiry still ahead), and reads through the tenant like every query.
 */
export async function listPendingInvitesByEmail(db: Db, tenantId: string, q: ByEmailQuery, now: Date): Promise<Page<Invitation>> {
  let query = db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('channel', '=', INVITE_SCOPE.channel)
    .where('direction', '=', INVITE_SCOPE.direction)
    .where('target_key', '=', INVITE_SCOPE.target)
    .where('status', '=', 'pending')
    .where('expires_at', '>', isoTime(now));
  const email = normalizeEmail(q.email);
  if (email) query = query.where('recipient_email_normalized', '=', email);
  // Addresses are unique here (one pending invitation per address and target); the id keeps the keyset total anyway.
  const rows = await keysetPage(query, 'recipient_email_normalized', 'asc', q.after, q.limit).execute();
  return toPage(rows, q.limit, 'recipient_email_normalized', (row) => toInvitation(row, now));
}
