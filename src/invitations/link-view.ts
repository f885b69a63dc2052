import type { Db, InvitationRow } from '#db';
import type { Clock } from '#common/clock';
import { invitationError } from './errors';
import { OPEN_STATUSES, effectiveStatus } from './lifecycle';
import { findCurrentLink, linkKeyOf, mintNextLink, type LinkKey, type LinkUnavailable } from './links';
import { invitationUrl, revokeInvitationTokens } from './tokens';

/**
 * The operator's view of an invitation's link: the URL, or why it cannot be shown (both null for protocol channels).
 */
export interface LinkView {
  readonly url: string | null;
  readonly urlUnavailable: LinkUnavailable | null;
}

export type InvitationLinks = ReturnType<typeof createInvitationLinks>;

/** One link at a time per link or email invitation, derived from the server secret, so it can be shown again. */
export function createInvitationLinks(deps: {
  readonly db: Db;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly linkSecret: string;
  /**
   * Whether a channel's invitations are a secret link (`/i/<token>`); protocol channels show their public
   * invitationUrl.
   */
  readonly mintsLink: (channel: string) => boolean;
}) {
  const key: LinkKey = linkKeyOf(deps.linkSecret);
  const hasSecretLink = (row: InvitationRow) => row.direction === 'outgoing' && deps.mintsLink(row.channel);

  /** Refuses, for `path.id`, an invitation that has no secret link (a protocol channel, or incoming). */
  function assertHasLink(row: InvitationRow): void {
    if (!hasSecretLink(row))
      throw invitationError('link_channel_only', `a ${row.channel} ${row.direction} invitation has no link`, 'path.id');
  }

  /** Recomputes the live link; never a wrong URL: when it cannot be recomputed, says why. */
  async function view(row: InvitationRow): Promise<LinkView> {
    if (!hasSecretLink(row)) return { url: null, urlUnavailable: null };
    const state = {
      status: row.status as never,
      usesAllowed: row.uses_allowed,
      usesCount: row.uses_count,
      startsAt: row.starts_at,
      expiresAt: row.expires_at,
    };
    if (!OPEN_STATUSES.has(effectiveStatus(state, deps.clock.now())))
      return { url: null, urlUnavailable: 'not_pending' };
    const current = await findCurrentLink(deps.db, key, row);
    return 'token' in current
      ? { url: invitationUrl(deps.publicUrl, current.token), urlUnavailable: null }
      : { url: null, urlUnavailable: current.unavailable };
  }

  return {
    key,
    assertHasLink,
    view,

    /** The live URL, or the refusal that says why there is none (410 once closed, 409 when it cannot be recomputed). */
    async liveUrl(row: InvitationRow): Promise<string> {
      assertHasLink(row);
      const shown = await view(row);
      if (shown.url) return shown.url;
      if (shown.urlUnavailable === 'not_pending') throw invitationError('link_gone', undefined, 'path.id');
      throw invitationError('link_unrecoverable', `urlUnavailable: ${shown.urlUnavailable}`, 'path.id', {
        urlUnavailable: shown.urlUnavailable,
      });
    },

    /** Kills every link the invitation has and derives the next, in the caller's transaction; returns its URL. */
    async moveToNext(trx: Db, row: InvitationRow, now: Date): Promise<string> {
      await revokeInvitationTokens(trx, row.id, now);
      return invitationUrl(deps.publicUrl, await mintNextLink(trx, key, row, 'api', now));
    },
  };
}
