import { InvitationFieldsSchema, type CreateInvitationInput, type Invitation } from '#invitations';
import type { CreateInviteInput, Invite } from './schemas';

/**
 * Which invitations are DataTrails invites: emailed by this tenant into the tenant itself
 * ("inviting a new member of the organization into their organization's tenancy"). An invite
 * to a project, or a link or protocol invitation, is not shown, read or deleted through here.
 */
export const INVITE_SCOPE = { channel: 'email', direction: 'outgoing', target: 'tenant' } as const;

/**
 * Whether the surface shows this invitation: in scope and still pending ("once accepted the invite itself will be
 * deleted").
 */
export function isListedInvite(invitation: Invitation): boolean {
  return (
    invitation.status === 'pending' &&
    invitation.channel === INVITE_SCOPE.channel &&
    invitation.direction === INVITE_SCOPE.direction &&
    invitation.target.type === INVITE_SCOPE.target
  );
}

/**
 * The native create for a DataTrails invite: email channel, into the tenant, no role ("invited
 * users will have no permissions"). Parsed by the native schema so its defaults (single use,
 * the tenant's expiry) apply exactly as for POST /v1/invitations. The address joins after
 * parsing: this surface's schema already checked it against the swagger's wider rule (any
 * RFC 5322 addr-spec), which the native one, wanting a dotted domain, would refuse.
 */
export function toCreateInput(input: CreateInviteInput): CreateInvitationInput {
  const parsed = InvitationFieldsSchema.parse({
    target: { type: INVITE_SCOPE.target },
    // proto3 has no null: an empty message is the absence of one.
    ...(input.message !== '' ? { message: input.message } : {}),
  });
  return { ...parsed, channel: INVITE_SCOPE.channel, recipient: { email: input.email } };
}

/**
 * RFC 3339 in whole seconds, as DataTrails writes times (2022-06-17T11:30:43Z); truncating never overstates the expiry.
 */
export function toRfc3339Seconds(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An invitation as a v1Invite. */
export function toInvite(invitation: Invitation): Invite {
  return {
    identity: `invites/${invitation.id}`,
    message: invitation.message ?? '',
    email: invitation.recipient.email ?? '',
    expiry_time: toRfc3339Seconds(invitation.expiresAt),
  };
}
