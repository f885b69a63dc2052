import { invitationError, type ChannelDefinition } from '#invitations';

/**
 * The email channel: the invitation's link, mailed to the recipient (and reminded, when the
 * tenant wants it). The delivery sink queues the mail; the email handler sends it.
 */
export const emailChannelDefinition: ChannelDefinition = {
  name: 'email',
  summary: "a link mailed to recipient.email (or the contact's address).",
  mintsLink: true,
  check: (_input, recipient) => {
    if (!recipient.email)
      throw invitationError(
        'recipient_required',
        'an email invitation needs recipient.email or a contact with an email',
        'body.recipient.email',
      );
  },
};
