import { escapeHtml } from './html-body';
import type { MailMessage } from './mailer';

/** What the mail of a one-time code says and to whom. */
export interface CodeMessageInput {
  readonly outboxId: string;
  readonly host: string;
  /** Already a display-name address: the tenant's name in front of the From address. */
  readonly from: string;
  readonly to: string;
  readonly code: string;
  readonly tenantName: string;
  /** What the link admits to: the target's name, else the tenant's. */
  readonly targetName: string;
  readonly minutes: number;
}

/**
 * The mail that proves an address: the code, what it is for, how long it works, and what to do if it was not asked
 * for. English only for now; the invitation templates' locales and tenant overrides do not cover it yet.
 */
export function codeMessage(input: CodeMessageInput): MailMessage {
  const subject = `Your code to join ${input.targetName}`;
  const lines = [
    `Your code to join ${input.targetName} on ${input.tenantName} is ${input.code}.`,
    `It works for ${input.minutes} minutes. Enter it on the invitation page.`,
    'If you did not ask for it, ignore this email: nothing happens without the code.',
  ];
  const html = [
    `<p style="font-size:16px">Your code to join <strong>${escapeHtml(input.targetName)}</strong> on ` +
      `${escapeHtml(input.tenantName)}:</p>`,
    `<p style="font-size:28px;letter-spacing:4px;font-weight:bold">${input.code}</p>`,
    `<p>${escapeHtml(lines[1]!)}</p>`,
    `<p style="color:#4b5563">${escapeHtml(lines[2]!)}</p>`,
  ].join('\n');
  return {
    messageId: `<${input.outboxId}@${input.host}>`,
    from: input.from,
    to: input.to,
    subject,
    text: `${lines.join('\n\n')}\n`,
    html,
  };
}
