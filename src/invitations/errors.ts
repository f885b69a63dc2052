import { isUniqueViolation } from '#db';
import { defineErrors, errorFactory } from '#common/errors';

/** Every refusal of the invitations capability, by stable code. */
export const invitationErrors = defineErrors({
  invitation_not_found: { status: 404, title: 'No such invitation' },
  invitation_already_accepted: { status: 410, title: 'This invitation has already been accepted' },
  invitation_declined: { status: 410, title: 'This invitation was declined' },
  invitation_revoked: { status: 410, title: 'This invitation was revoked' },
  invitation_expired: { status: 410, title: 'This invitation has expired' },
  invitation_exhausted: { status: 410, title: 'This invitation has no uses left' },
  invitation_not_yet_active: { status: 409, title: 'This invitation is not active yet' },
  invitation_multi_use: { status: 409, title: 'A multi-use invitation cannot be declined; it stays open for others' },
  invitation_not_pending: { status: 409, title: 'Only a pending invitation can be changed' },
  invitation_not_expired: { status: 409, title: 'This invitation has not expired' },
  invitation_already_pending: { status: 409, title: 'This recipient already has a pending invitation to this target' },
  purpose_taken: { status: 409, title: 'Another invitation of this tenant has this purpose' },
  uses_allowed_below_used: { status: 409, title: 'usesAllowed cannot go below the uses already made' },
  identity_disabled: { status: 409, title: 'This identity is disabled and cannot send invitations' },
  channel_not_supported: { status: 422, title: 'This channel is not available on this server' },
  invitation_not_incoming: { status: 409, title: 'Only an invitation sent to us can be answered here' },
  channel_options_mismatch: { status: 400, title: 'These options belong to another channel' },
  recipient_required: { status: 400, title: 'This channel needs a recipient' },
  acceptor_email_mismatch: {
    status: 403,
    title: 'This invitation was sent to another address; accept it with the address it was sent to',
  },
  acceptor_required: { status: 400, title: 'Say who accepts: this invitation names no recipient' },
  allowed_domains_need_open_link: {
    status: 400,
    title: 'allowedDomains is for a shareable link that names no recipient',
  },
  email_domain_not_allowed: { status: 403, title: 'This link admits addresses at other domains only' },
  email_proof_required: { status: 403, title: 'Prove the address first: a code mailed to it, or an assertion' },
  email_code_invalid: { status: 403, title: 'This code is wrong, expired or used up; ask for a new one' },
  email_assertion_invalid: { status: 403, title: "The host application's assertion does not prove this address" },
  email_proof_not_needed: { status: 409, title: 'This invitation admits any address: there is nothing to prove' },
  did_proof_required: { status: 403, title: 'This invitation is bound to a DID: accept with a signed did-challenge' },
  did_proof_invalid: { status: 403, title: 'The DID proof does not verify, or its challenge is used or expired' },
  invitation_not_did_bound: { status: 409, title: 'This invitation is not bound to a DID; there is nothing to prove' },
  invalid_window: { status: 400, title: 'The active window is not valid' },
  redirect_url_not_https: { status: 400, title: 'The redirect URL must be https on this server' },
  invite_quota_exceeded: { status: 429, title: 'This key or inviter has used its invitation quota for now' },
  idempotency_key_reused: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  concurrent_update: { status: 409, title: 'The invitation changed while this request ran; retry' },
  link_channel_only: { status: 409, title: 'Only link and email invitations have a link to show or reset' },
  link_needs_no_resend: { status: 409, title: 'A link invitation has no one to send to: reset its link instead' },
  link_unrecoverable: {
    status: 409,
    title: "This invitation's link cannot be recomputed on this server; reset it for a new one",
  },
  link_gone: { status: 410, title: 'This invitation is no longer open, so it has no live link' },
  approval_not_supported: { status: 400, title: 'Only link and email invitations can require approval' },
  join_request_not_found: { status: 404, title: 'No such join request' },
  join_request_decided: { status: 409, title: 'This join request has already been decided' },
  join_request_declined: { status: 403, title: 'Your request to join was declined' },
});

export type InvitationErrorCode = keyof typeof invitationErrors;

export const invitationError = errorFactory(invitationErrors);

/** Turns a unique-constraint violation into the refusal it means; rethrows anything else. */
export function refuseUniqueViolation(error: unknown): never {
  if (isUniqueViolation(error)) {
    const text = `${(error as { constraint?: string }).constraint ?? ''} ${(error as Error).message}`;
    if (text.includes('purpose')) throw invitationError('purpose_taken', undefined, 'body.purpose');
    if (text.includes('pending') || text.includes('recipient_email')) {
      throw invitationError('invitation_already_pending', undefined, 'body.recipient.email');
    }
  }
  throw error;
}
