/** One email, fully rendered. */
export interface MailMessage {
  /**
   * RFC 5322 Message-ID, e.g. <outbox-id@host>: a redelivery after a crash keeps it, so receivers can drop the copy.
   */
  readonly messageId: string;
  readonly from: string;
  readonly to: string;
  /** Where a reply goes: the host application's user who invites, when the create request gave an address. */
  readonly replyTo?: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What the receiving server said. */
export interface MailResult {
  readonly accepted: boolean;
  /** A rejection that retrying cannot fix (SMTP 5xx). */
  readonly permanent: boolean;
  readonly responseCode: number | null;
  readonly response: string;
}

/** The port for sending email: the narrowest thing the email channel needs. */
export interface Mailer {
  send(message: MailMessage, context: { readonly tenantId: string; readonly outboxId: string }): Promise<MailResult>;
  close(): Promise<void>;
}
