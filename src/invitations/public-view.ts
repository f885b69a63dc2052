import type { Db, InvitationRow } from '#db';
import { getInviter, type Inviter } from '#tenants';
import { allowedDomainsOf } from './allowed-domains';
import { effectiveStatus, type InvitationStatus } from './lifecycle';
import { lifecycleState, type Channel, type TargetType } from './record';

/** What the accept page may show to whoever holds the link: nothing about other invitations or accounts. */
export interface PublicInvitation {
  readonly status: InvitationStatus;
  readonly channel: Channel;
  readonly tenant: {
    readonly name: string;
    readonly branding: { readonly color: string; readonly logoUrl: string | null };
  };
  readonly inviter: { readonly displayName: string; readonly handle: string; readonly did: string };
  /** Who sent it; the address only on an invitation mailed to one recipient (see PublicInvitationSchema). */
  readonly invitedBy: { readonly name: string; readonly email: string | null } | null;
  readonly target: { readonly type: TargetType; readonly iri: string | null; readonly name: string | null };
  readonly role: string | null;
  readonly rules: string[];
  readonly message: string | null;
  readonly recipientHint: string | null;
  readonly multiUse: boolean;
  /** The email domains the link admits, each address proved first; null: anyone. */
  readonly allowedDomains: string[] | null;
  /** Accepting makes a join request that the tenant approves or declines. */
  readonly requireApproval: boolean;
  /** The DID a DID-bound invitation is for: only a proof of it accepts (a browser form cannot). */
  readonly recipientDid: string | null;
  readonly startsAt: string | null;
  readonly expiresAt: string;
  readonly locale: string;
}

/** `jane.doe@example.com` → `j***@example.com`: enough for the invitee to recognise, not to harvest. */
export function maskEmail(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/**
 * The inviter as whoever holds the link may see them. Their address only when the invitation was
 * mailed to one person, who can then ask them for a new one: a shareable link may be on a poster.
 */
function publicInvitedBy(row: InvitationRow): PublicInvitation['invitedBy'] {
  if (row.invited_by_name === null) return null;
  const addressed = row.recipient_email !== null && row.uses_allowed === 1;
  return { name: row.invited_by_name, email: addressed ? row.invited_by_email : null };
}

/** Builds the public view of a stored invitation as of `now`. */
export async function publicView(db: Db, row: InvitationRow, now: Date): Promise<PublicInvitation> {
  return (await loadPublicView(db, row, now)).view;
}

/** The public view and the tenant it was read with, for callers that need the tenant's settings too. */
export async function loadPublicView(
  db: Db,
  row: InvitationRow,
  now: Date,
  // The caller may have started the inviter's read already (startAhead); else it is read here.
  inviter?: Promise<Inviter>,
): Promise<{ view: PublicInvitation; tenant: Inviter['tenant'] }> {
  const { identity, tenant } = await (inviter ?? getInviter(db, row.tenant_id, row.identity_id));
  return { view: toPublicView(row, tenant, identity, now), tenant };
}

function toPublicView(
  row: InvitationRow,
  tenant: Inviter['tenant'],
  identity: Inviter['identity'],
  now: Date,
): PublicInvitation {
  return {
    status: effectiveStatus(lifecycleState(row), now),
    channel: row.channel as Channel,
    tenant: { name: tenant.name, branding: tenant.settings.branding },
    inviter: { displayName: identity.displayName, handle: identity.handle, did: identity.did },
    invitedBy: publicInvitedBy(row),
    target: {
      type: row.target_type as TargetType,
      iri: row.target_iri,
      name: row.target_type === 'tenant' ? tenant.name : row.target_name,
    },
    role: row.role,
    rules: JSON.parse(row.rules ?? '[]') as string[],
    message: row.message,
    recipientHint: maskEmail(row.recipient_email),
    multiUse: row.uses_allowed !== 1,
    allowedDomains: allowedDomainsOf(row),
    requireApproval: row.require_approval === 1,
    recipientDid: row.recipient_did,
    startsAt: row.starts_at,
    expiresAt: row.expires_at,
    locale: row.locale ?? tenant.settings.locale,
  };
}
