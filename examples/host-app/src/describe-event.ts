/** The parts of Usher's webhook body the team page shows. */
export interface UsherWebhook {
  readonly type: string;
  readonly data: {
    readonly invitation: {
      readonly recipient: { readonly email: string | null };
      readonly role: string | null;
      readonly invitedBy?: { readonly name: string } | null;
    };
  };
}

/** One line for the team page: who was invited, with which role, by whom. */
export function describeEvent(event: UsherWebhook): string {
  const { recipient, role, invitedBy } = event.data.invitation;
  const who = `${recipient.email ?? 'someone'}${role ? ` as ${role}` : ''}`;
  return invitedBy ? `${who}, invited by ${invitedBy.name}` : who;
}
