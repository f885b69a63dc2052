/**
 * The invitation lifecycle as data. One pure function, `transition`, decides every change of
 * status; REST, the compatibility surfaces, the console, the CLI and the protocol inboxes all
 * reach it through the service. Nothing here does I/O or reads the clock.
 *
 *   pending ──accept (last use)──▶ accepted (single-use) | exhausted (multi-use)
 *      │ ──decline──▶ declined   ──revoke──▶ revoked   ──expire──▶ expired
 *      │ ──tentative──▶ tentative (ActivityPub TentativeAccept: still open, to accept or decline later)
 *      └─ accept (uses left), resend, update: stays pending
 */
export const INVITATION_STATUSES = [
  'pending',
  'tentative',
  'accepted',
  'declined',
  'revoked',
  'expired',
  'exhausted',
] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export type LifecycleAction = 'accept' | 'tentative' | 'decline' | 'revoke' | 'resend' | 'update' | 'expire';

export const EVENT_TYPES = [
  'invitation.created',
  'invitation.updated',
  'invitation.resent',
  'invitation.sent',
  'invitation.delivery_failed',
  'invitation.accepted',
  'invitation.tentatively_accepted',
  'invitation.exhausted',
  'invitation.declined',
  'invitation.revoked',
  'invitation.expired',
  // On the invitation's timeline, its status unchanged: a link that requires approval (invitations/join-requests.ts).
  'join_request.created',
  'join_request.approved',
  'join_request.declined',
] as const;
export type InvitationEventType = (typeof EVENT_TYPES)[number];

/** What the lifecycle needs to know of an invitation. */
export interface LifecycleState {
  readonly status: InvitationStatus;
  /** null: unlimited. */
  readonly usesAllowed: number | null;
  readonly usesCount: number;
  readonly startsAt: string | null;
  readonly expiresAt: string;
}

/** An allowed change: the new status and use count, and the events it writes. */
export interface Transition {
  readonly previousStatus: InvitationStatus;
  readonly status: InvitationStatus;
  readonly usesCount: number;
  readonly events: readonly InvitationEventType[];
}

/** Why a change is refused; each is a code in the invitations error catalogue. */
export type LifecycleRefusal =
  | 'invitation_already_accepted'
  | 'invitation_declined'
  | 'invitation_revoked'
  | 'invitation_expired'
  | 'invitation_exhausted'
  | 'invitation_not_yet_active'
  | 'invitation_multi_use'
  | 'invitation_not_pending'
  | 'invitation_not_expired';

export type TransitionResult =
  { readonly ok: true; readonly value: Transition } | { readonly ok: false; readonly refusal: LifecycleRefusal };

/** Statuses an invitation can still be answered in. */
export const OPEN_STATUSES: ReadonlySet<InvitationStatus> = new Set(['pending', 'tentative']);

/** The status as of `now`: an open invitation past its expiry reads as expired before the sweep stores it. */
export function effectiveStatus(state: LifecycleState, now: Date): InvitationStatus {
  return OPEN_STATUSES.has(state.status) && isPastExpiry(state, now) ? 'expired' : state.status;
}

function isPastExpiry(state: LifecycleState, now: Date): boolean {
  return now.getTime() >= Date.parse(state.expiresAt);
}

/** The refusal an invitee sees for an invitation that is no longer open, by its status. */
const GONE: Record<Exclude<InvitationStatus, 'pending' | 'tentative'>, LifecycleRefusal> = {
  accepted: 'invitation_already_accepted',
  declined: 'invitation_declined',
  revoked: 'invitation_revoked',
  expired: 'invitation_expired',
  exhausted: 'invitation_exhausted',
};

const refuse = (refusal: LifecycleRefusal): TransitionResult => ({ ok: false, refusal });
const allow = (
  state: LifecycleState,
  status: InvitationStatus,
  events: InvitationEventType[],
  usesCount = state.usesCount,
): TransitionResult => ({
  ok: true,
  value: { previousStatus: state.status, status, usesCount, events },
});

/** Decides `action` on `state` at `now`: the transition, or why not. */
export function transition(state: LifecycleState, action: LifecycleAction, now: Date): TransitionResult {
  if (action === 'expire') {
    return OPEN_STATUSES.has(state.status) && isPastExpiry(state, now)
      ? allow(state, 'expired', ['invitation.expired'])
      : refuse('invitation_not_expired');
  }
  const current = effectiveStatus(state, now);
  const inviteeAction = action === 'accept' || action === 'decline' || action === 'tentative';
  if (current !== 'pending' && current !== 'tentative')
    return refuse(inviteeAction ? GONE[current] : 'invitation_not_pending');

  switch (action) {
    case 'accept': {
      if (state.startsAt !== null && now.getTime() < Date.parse(state.startsAt))
        return refuse('invitation_not_yet_active');
      const usesCount = state.usesCount + 1;
      if (state.usesAllowed === null || usesCount < state.usesAllowed)
        return allow(state, 'pending', ['invitation.accepted'], usesCount);
      // The last use: a single-use invitation is accepted, a multi-use one is spent.
      return state.usesAllowed === 1
        ? allow(state, 'accepted', ['invitation.accepted'], usesCount)
        : allow(state, 'exhausted', ['invitation.accepted', 'invitation.exhausted'], usesCount);
    }
    case 'decline':
      // One invitee declining must not close a link that others may still use.
      if (state.usesAllowed !== 1) return refuse('invitation_multi_use');
      return allow(state, 'declined', ['invitation.declined']);
    case 'tentative':
      // A maybe from one invitee: only meaningful when there is one invitee.
      if (state.usesAllowed !== 1) return refuse('invitation_multi_use');
      if (current === 'tentative') return refuse('invitation_not_pending');
      return allow(state, 'tentative', ['invitation.tentatively_accepted']);
    case 'revoke':
      return allow(state, 'revoked', ['invitation.revoked']);
    case 'resend':
      return allow(state, 'pending', ['invitation.resent']);
    case 'update':
      return allow(state, current, ['invitation.updated']);
  }
}
