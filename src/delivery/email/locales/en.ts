import type { EmailCopy } from '../copy';

/** English copy of the built-in invitation and reminder emails. */
export const en: EmailCopy = {
  subject: (kind, inviter, target) =>
    kind === 'invitation'
      ? `${inviter} invites you to join ${target}`
      : `Reminder: your invitation to ${target} expires soon`,
  heading: (kind, inviter, target) =>
    kind === 'invitation' ? `${inviter} invites you to join ${target}` : `Your invitation to ${target} expires soon`,
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  lead: (kind, inviter, target, expires) =>
    kind === 'invitation'
      ? `${inviter} has invited you to join ${target}. The invitation is valid until ${expires}.`
      : `${inviter} invited you to join ${target}, and the invitation is still waiting for you. It expires on ${expires}.`,
  role: 'Role:',
  rules: 'Rules:',
  wrote: (inviter) => `${inviter} wrote:`,
  accept: 'Accept invitation',
  acceptLink: 'To accept the invitation, open this link:',
  linkIntro: 'If the button does not work, copy this link into your browser:',
  ignore: 'If you did not expect this invitation, you can ignore this email: nothing happens unless you accept.',
  sentBy: (tenant) => `Sent on behalf of ${tenant}.`,
};
