import type { InvitationRow } from '#db';
import { parseJson } from '#common/json';
import { allowedDomainsOf } from './allowed-domains';
import { effectiveStatus, type InvitationStatus, type LifecycleState } from './lifecycle';

/** A channel's name: email, link, didcomm, activitypub, provider, or one a server registers (channel-registry.ts). */
export type Channel = string;

export const TARGET_TYPES = ['tenant', 'project', 'event', 'group', 'connection', 'social'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export type Direction = 'outgoing' | 'incoming';

/** What the invitee is invited into. */
export interface Target {
  readonly type: TargetType;
  readonly iri: string | null;
  readonly name: string | null;
}

/** Who is invited; any subset, by channel. */
export interface Recipient {
  readonly email: string | null;
  readonly contactId: string | null;
  readonly did: string | null;
  readonly actorIri: string | null;
  readonly provider: { readonly provider: string; readonly userId: string } | null;
  readonly name: string | null;
}

/** The host application's user who sent an invitation, or the identity standing in when none was named. */
export interface InvitedBy {
  readonly id: string | null;
  readonly name: string;
  readonly email: string | null;
  readonly source: 'request' | 'identity';
}

/** An invitation as the domain and the API see it; `status` is already the effective one. */
export interface Invitation {
  readonly id: string;
  /** A server-wide integer id, in creation order. */
  readonly number: number | null;
  readonly channel: Channel;
  readonly direction: Direction;
  readonly status: InvitationStatus;
  readonly identityId: string;
  /** null on rows made before inviters were recorded. */
  readonly invitedBy: InvitedBy | null;
  /** This invitation's own redirect URL; null means the tenant's. */
  readonly redirectUrl: string | null;
  /** The email domains a link admits, each address proved; null: any acceptor. */
  readonly allowedDomains: string[] | null;
  readonly recipient: Recipient;
  readonly target: Target;
  readonly role: string | null;
  readonly rules: string[];
  readonly message: string | null;
  readonly label: string | null;
  readonly description: string | null;
  readonly purpose: string | null;
  readonly public: boolean;
  readonly usesAllowed: number | null;
  readonly usesCount: number;
  /** Accepting makes a join request that someone approves. */
  readonly requireApproval: boolean;
  readonly startsAt: string | null;
  readonly expiresAt: string;
  readonly locale: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The lifecycle's view of a stored row. */
export function lifecycleState(
  row: Pick<InvitationRow, 'status' | 'uses_allowed' | 'uses_count' | 'starts_at' | 'expires_at'>,
): LifecycleState {
  return {
    status: row.status as InvitationStatus,
    usesAllowed: row.uses_allowed,
    usesCount: row.uses_count,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
  };
}

/**
 * The columns an Invitation is made of: what a list page reads. The rest (the tenant, keys kept for
 * indexes, a protocol's payload, which can run to kilobytes, the version) is the server's own.
 */
export const INVITATION_COLUMNS = [
  'id',
  'number',
  'channel',
  'direction',
  'status',
  'identity_id',
  'recipient_email',
  'recipient_contact_id',
  'recipient_did',
  'recipient_actor',
  'recipient_provider',
  'recipient_name',
  'target_type',
  'target_iri',
  'target_name',
  'role',
  'rules',
  'message',
  'label',
  'description',
  'purpose',
  'public',
  'uses_allowed',
  'uses_count',
  'starts_at',
  'expires_at',
  'locale',
  'metadata',
  'created_at',
  'updated_at',
  'invited_by_id',
  'invited_by_name',
  'invited_by_email',
  'invited_by_source',
  'redirect_url',
  'allowed_domains',
  'require_approval',
] as const satisfies readonly (keyof InvitationRow)[];

/** A row with the columns of an Invitation. */
export type InvitationColumns = Pick<InvitationRow, (typeof INVITATION_COLUMNS)[number]>;

/** Maps a stored row to the domain type, applying expiry as of `now`. */
export function toInvitation(row: InvitationColumns, now: Date): Invitation {
  return {
    id: row.id,
    number: row.number,
    channel: row.channel,
    direction: row.direction as Direction,
    status: effectiveStatus(lifecycleState(row), now),
    identityId: row.identity_id,
    invitedBy: invitedByOf(row),
    redirectUrl: row.redirect_url,
    allowedDomains: allowedDomainsOf(row),
    recipient: {
      email: row.recipient_email,
      contactId: row.recipient_contact_id,
      did: row.recipient_did,
      actorIri: row.recipient_actor,
      provider: parseJson(row.recipient_provider, null),
      name: row.recipient_name,
    },
    target: { type: row.target_type as TargetType, iri: row.target_iri, name: row.target_name },
    role: row.role,
    rules: parseJson(row.rules, []),
    message: row.message,
    label: row.label,
    description: row.description,
    purpose: row.purpose,
    public: row.public === 1,
    usesAllowed: row.uses_allowed,
    usesCount: row.uses_count,
    requireApproval: row.require_approval === 1,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
    locale: row.locale,
    metadata: parseJson(row.metadata, {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The stored inviter; rows from before inviters were recorded have none. */
export function invitedByOf(
  row: Pick<InvitationRow, 'invited_by_id' | 'invited_by_name' | 'invited_by_email' | 'invited_by_source'>,
): InvitedBy | null {
  if (row.invited_by_name === null) return null;
  return {
    id: row.invited_by_id,
    name: row.invited_by_name,
    email: row.invited_by_email,
    source: row.invited_by_source === 'request' ? 'request' : 'identity',
  };
}

/** The key memberships and the one-pending rule use for a target. */
export function targetKey(target: { type: TargetType; iri: string | null }): string {
  return target.type === 'tenant' || target.iri === null ? 'tenant' : target.iri;
}
