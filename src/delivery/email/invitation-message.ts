import type { InvitationRow, OutboxRow } from '#db';
import { parseJson } from '#common/json';
import type { Identity, Tenant } from '#tenants';
import type { MailMessage } from './mailer';
import type { TemplateKind } from '#tenants';
import { renderEmail } from './templates';

/**
 * What one invitation email says and to whom: the facts of the invitation, its tenant and inviter, and the link minted
 * for it.
 */
export interface InvitationMessageInput {
  readonly row: OutboxRow;
  readonly kind: TemplateKind;
  readonly invitation: InvitationRow & { readonly recipient_email: string };
  readonly tenant: Tenant;
  readonly inviter: Identity;
  readonly acceptUrl: string;
  /** The host of the public URL: Message-IDs are `<outbox-id@host>`, the same on every retry of a row. */
  readonly host: string;
  readonly fromAddress: string;
}

/** Renders the invitation or reminder email for one outbox row, in the invitation's locale or the tenant's. */
export function invitationMessage(input: InvitationMessageInput): MailMessage {
  const { invitation, tenant } = input;
  const email = renderEmail(
    input.kind,
    invitation.locale ?? tenant.settings.locale,
    {
      tenantName: tenant.name,
      brandColor: tenant.settings.branding.color,
      logoUrl: tenant.settings.branding.logoUrl,
      // Invitations made before senders were recorded have none: their identity invites, as it did.
      inviterName: invitation.invited_by_name ?? input.inviter.displayName,
      inviterEmail: invitation.invited_by_email,
      identityName: input.inviter.displayName,
      targetName: invitation.target_type === 'tenant' ? tenant.name : (invitation.target_name ?? tenant.name),
      role: invitation.role,
      rules: parseJson<string[]>(invitation.rules, []),
      message: invitation.message,
      recipientName: invitation.recipient_name,
      expiresAt: invitation.expires_at,
      acceptUrl: input.acceptUrl,
    },
    tenant.settings.emailTemplates,
  );
  return {
    messageId: `<${input.row.id}@${input.host}>`,
    from: namedAddress(tenant.name, input.fromAddress),
    to: invitation.recipient_email,
    // A reply reaches the person who invites, not the no-reply From address.
    ...(invitation.invited_by_email
      ? { replyTo: namedAddress(invitation.invited_by_name ?? '', invitation.invited_by_email) }
      : {}),
    subject: email.subject,
    text: email.text,
    html: email.html,
  };
}

/** '"Acme" <no-reply@…>': a display name (quotes and line breaks dropped) in front of the address kept. */
export function namedAddress(displayName: string, mailbox: string): string {
  const address = /<([^>]+)>/.exec(mailbox)?.[1] ?? mailbox;
  const name = displayName.replace(/["\\\r\n]/g, '');
  return `"${name}" <${address}>`;
}
