/**
 * The one read Unipile needs that the core list has no form for: an account's pending
 * invitations to users on either of the two channels that reach them (provider, for this
 * server's identities and social providers; activitypub, for fediverse actors), in one keyset
 * order. Scoped by tenant and identity like every query; "pending" as the core's status filter.
 */
import type { Db } from '#db';
import { keysetPage, toPage } from '#db/keyset';
import { isoTime } from '#common/json';
import type { Cursor, Page } from '#http/pagination';
import { toInvitation, type Invitation } from '#invitations';

/** The channels a Unipile invitation goes out on. */
export const USER_CHANNELS = ['provider', 'activitypub'] as const;

/** One page of the identity's pending user invitations, newest first. */
export async function listPendingUserInvitations(db: Db, tenantId: string, identityId: string, page: { limit: number; after: Cursor | null }, now: Date): Promise<Page<Invitation>> {
  const query = db
    .selectFrom('invitations')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('identity_id', '=', identityId)
    .where('direction', '=', 'outgoing')
    .where('channel', 'in', USER_CHANNELS)
    .where('status', '=', 'pending')
    .where('expires_at', '>', isoTime(now));
  const rows = await keysetPage(query, 'created_at', 'desc', page.after, page.limit).execute();
  return toPage(rows, page.limit, 'created_at', (row) => toInvitation(row, now));
}
