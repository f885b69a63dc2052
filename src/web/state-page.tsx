/** @jsxImportSource hono/jsx */
import type { Child } from 'hono/jsx';
import type { PublicInvitation } from '#invitations';
import { Layout } from './layout';

const NEUTRAL_BRAND = '#4f46e5';

/** Messages for every state an invitation link can be in; none says whether an address or account exists. */
export const STATE_MESSAGES = {
  accepted_now: ['You are in', 'Your invitation is accepted.'],
  join_requested: ['Request sent', 'This invitation needs approval: your request to join was sent.'],
  join_request_declined: ['Request declined', 'Your request to join was declined.'],
  declined_now: ['Invitation declined', 'You declined this invitation. Nothing else will happen.'],
  invitation_already_accepted: ['Already accepted', 'This invitation has already been accepted.'],
  invitation_declined: ['Invitation declined', 'This invitation was declined.'],
  invitation_revoked: ['Invitation withdrawn', 'This invitation was withdrawn by the sender.'],
  invitation_expired: ['Invitation expired', 'This invitation has expired.'],
  invitation_exhausted: ['No places left', 'This invitation has been used as many times as it allows.'],
  invitation_not_yet_active: ['Not open yet', 'This invitation cannot be accepted yet. Come back later.'],
  invitation_not_found: [
    'Link not valid',
    'This invitation link is not valid. It may have been replaced by a newer one.',
  ],
} as const;

export type StateKey = keyof typeof STATE_MESSAGES;

/** What the invitee can do next, by state: who to ask, for what. Null: nothing to ask for. */
const NEXT_STEP: Readonly<Record<StateKey, ((who: string) => string) | null>> = {
  accepted_now: null,
  join_requested: null,
  join_request_declined: (who) => `If you think this is a mistake, ask ${who}.`,
  declined_now: (who) => `Changed your mind? Ask ${who} for a new invitation.`,
  invitation_already_accepted: (who) => `If it was not you who accepted it, ask ${who} for a new invitation.`,
  invitation_declined: (who) => `Changed your mind? Ask ${who} for a new invitation.`,
  invitation_revoked: (who) => `If you think this is a mistake, ask ${who}.`,
  invitation_expired: (who) => `Ask ${who} for a new invitation.`,
  invitation_exhausted: (who) => `Ask ${who} for an invitation of your own.`,
  invitation_not_yet_active: null,
  invitation_not_found: () => 'Ask the person who sent it to you for a new link.',
};

/** Who invited, as a state page names them: the sender, else the identity it came from. */
function senderOf(invitation: PublicInvitation): { name: string; email: string | null } {
  return invitation.invitedBy ?? { name: invitation.inviter.displayName, email: null };
}

/** "mailto:ada@example.com?subject=…": the address is one the host application gave, the subject ours. */
function mailtoFor(email: string, invitation: PublicInvitation): string {
  const into = invitation.target.name ?? invitation.tenant.name;
  return `mailto:${email}?subject=${encodeURIComponent(`A new invitation to ${into}`)}`;
}

/**
 * A page that states where the invitation stands, from whom it came and what the invitee can do.
 * Without `invitation` (an unknown link) nothing about a tenant or a sender is known, so none is named.
 */
export function StatePage(props: {
  state: StateKey;
  locale: string;
  invitation?: PublicInvitation;
  detail?: string;
  children?: Child;
}) {
  const [title, text] = STATE_MESSAGES[props.state];
  const inv = props.invitation;
  const sender = inv ? senderOf(inv) : null;
  const next = NEXT_STEP[props.state];
  return (
    <Layout title={title} brand={inv?.tenant.branding.color ?? NEUTRAL_BRAND} lang={props.locale}>
      {inv ? <p class="from">{inv.tenant.name}</p> : null}
      <h1>{title}</h1>
      <p>{text}</p>
      {props.detail ? <p class="meta">{props.detail}</p> : null}
      {inv && sender ? (
        <p class="meta">
          Invitation from {sender.name}
          {sender.name === inv.tenant.name ? '' : ` at ${inv.tenant.name}`}.
        </p>
      ) : null}
      {next ? <p>{next(sender?.name ?? '')}</p> : null}
      {inv && sender?.email && next ? (
        <p>
          <a href={mailtoFor(sender.email, inv)}>Write to {sender.name}</a>
        </p>
      ) : null}
      {props.children}
    </Layout>
  );
}
