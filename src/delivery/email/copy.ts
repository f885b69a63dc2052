import type { TemplateKind } from '#tenants';
import type { TemplateVars } from './template-vars';

/**
 * The words of one language for the built-in emails. Functions receive values already prepared for the
 * output they end up in (HTML-escaped, possibly wrapped in markup, for the HTML body; raw for text and subject),
 * so the copy itself must not contain markup.
 */
export interface EmailCopy {
  readonly subject: (kind: TemplateKind, inviter: string, target: string) => string;
  readonly heading: (kind: TemplateKind, inviter: string, target: string) => string;
  readonly greeting: (recipientName: string | null) => string;
  /** The sentence under the heading; `expires` is the localized date. */
  readonly lead: (kind: TemplateKind, inviter: string, target: string, expires: string) => string;
  /** Labels that precede a value, punctuation included ("Role:", "Rôle :"). */
  readonly role: string;
  readonly rules: string;
  readonly wrote: (inviter: string) => string;
  /** The button's label. */
  readonly accept: string;
  /** The line above the link in the plain-text body. */
  readonly acceptLink: string;
  readonly linkIntro: string;
  readonly ignore: string;
  readonly sentBy: (tenant: string) => string;
}

/** Everything a built-in body needs: what to say, in which words, about which invitation. */
export interface EmailContext {
  readonly kind: TemplateKind;
  readonly locale: string;
  readonly copy: EmailCopy;
  readonly vars: TemplateVars;
  /** `vars.expiresAt` as a localized, human date with its time zone. */
  readonly expires: string;
  /** `vars.brandColor` if it is a valid #rrggbb, else the neutral default. */
  readonly brand: string;
}
