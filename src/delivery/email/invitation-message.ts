import type { InvitationRow, OutboxRow } from '#db';
import { parseJson } from '#common/json';
import type { Identity, Tenant } from '#tenants';
import type { MailMessage } from './mailer';
import { renderEmail, type TemplateKind } from './templates';

/** What one invitation email says and to whom: the facts of the invitation, its tenant and inviter, and the link minted for it. */
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
    from: fromHeader(tenant.name, input.fromAddress),
    to: invitation.recipient_email,
    subject: email.subject,
    text: email.text,
    html: email.html,
  };
}

/** "Acme <no-reply@…>": the tenant's name as the display name, the configured address kept. */
function fromHeader(tenantName: string, fromAddress: string): string {
  const address = /<([^>]+)>/.exec(fromAddress)?.[1] ?? fromAddress;
  const name = tenantName.replace(/["\\\r\n]/g, '');
  return `"${name}" <${address}>`;
}
