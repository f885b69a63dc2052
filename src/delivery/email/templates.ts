import { z } from '@hono/zod-openapi';
import { LocaleTagSchema } from '#common/locale';
import type { EmailContext, EmailCopy } from './copy';
import { escapeHtml, renderHtmlBody } from './html-body';
import { de } from './locales/de';
import { en } from './locales/en';
import { fr } from './locales/fr';
import { fillPlaceholders, findUnknownPlaceholders, placeholderValues, PLACEHOLDERS } from './placeholders';
import { renderTextBody } from './text-body';

/** Which email: the first invitation, or the reminder sent before it expires. */
export type TemplateKind = 'invitation' | 'reminder';

/** The facts an email states. Names, role, rules and message are untrusted input: rendering escapes them for HTML. */
export interface TemplateVars {
  tenantName: string;
  /** #rrggbb; anything else renders as the neutral default colour. */
  brandColor: string;
  /** Shown above the heading when it is an http(s) URL; otherwise the tenant's name is. */
  logoUrl: string | null;
  /** Who invites: the host application's user named at create, else the inviting identity's display name. */
  inviterName: string;
  /** That user's address, when the create request gave one. */
  inviterEmail?: string | null;
  /** The identity the invitation is sent from; the inviter's name when not given. */
  identityName?: string;
  targetName: string;
  role: string | null;
  rules: readonly string[];
  message: string | null;
  recipientName: string | null;
  /** ISO-8601 UTC instant. */
  expiresAt: string;
  acceptUrl: string;
}

/** One email, ready for the Mailer. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The locale actually used (one of SUPPORTED_LOCALES). */
  readonly locale: string;
}

/** A tenant's replacement for some parts of one built-in template; the parts it leaves out stay built-in. */
export interface TemplateOverride {
  subject?: string;
  text?: string;
  html?: string;
}

/** A tenant's overrides, keyed by locale (e.g. "en", "fr"), then by kind. */
export type TemplateOverrides = Readonly<Record<string, Partial<Record<TemplateKind, TemplateOverride>>>>;

const COPY: Readonly<Record<string, EmailCopy>> = { en, fr, de };

/** Locales with built-in templates; "en" is the fallback. */
export const SUPPORTED_LOCALES: readonly string[] = Object.freeze(Object.keys(COPY));

const NEUTRAL_BRAND = '#4f46e5';
const MAX_SUBJECT_CHARS = 200;
const MAX_BODY_BYTES = 50 * 1024;
const utf8 = new TextEncoder();

// Requested tags seen so far: parsing one (Intl.Locale) costs more than the rest of the lookup.
const resolved = new Map<string, string>();

/** The supported locale for a requested tag: the tag itself, else its language ("fr-CA" → "fr"), else "en". */
export function resolveLocale(requested: string): string {
  let locale = resolved.get(requested);
  if (locale === undefined) {
    locale = resolveUncached(requested);
    // Tags come from invitations: keep the map bounded whatever they hold.
    if (resolved.size >= 1000) resolved.clear();
    resolved.set(requested, locale);
  }
  return locale;
}

function resolveUncached(requested: string): string {
  let tag: string;
  try {
    tag = Intl.getCanonicalLocales(requested.replace(/_/g, '-'))[0] ?? 'en';
  } catch {
    return 'en';
  }
  const exact = tag.toLowerCase();
  const language = new Intl.Locale(tag).language;
  return SUPPORTED_LOCALES.find((l) => l === exact) ?? SUPPORTED_LOCALES.find((l) => l === language) ?? 'en';
}

// Making a DateTimeFormat costs more than the rest of an email's template (bench: 7% of the worker).
const expiryFormats = new Map<string, Intl.DateTimeFormat>();

/** The expiry as people read it in `locale`, with the time zone stated, since the recipient's is unknown. */
function formatExpiry(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = expiryFormats.get(locale);
  if (!format) {
    // dateStyle cannot be combined with timeZoneName; timeStyle 'long' states the zone ("UTC") itself.
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' });
    expiryFormats.set(locale, format);
  }
  return format.format(date);
}

/** A header value on one line: CR/LF (and other line breaks) would let a name inject headers. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim();
}

function withKnownPlaceholders(part: z.ZodString) {
  return part.superRefine((template, ctx) => {
    for (const name of findUnknownPlaceholders(template)) {
      ctx.addIssue({ code: 'custom', message: `Unknown placeholder {{${name}}}; known ones are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.` });
    }
  });
}

const bodyPart = (what: string) =>
  withKnownPlaceholders(
    z
      .string()
      .min(1)
      .refine((s) => utf8.encode(s).byteLength <= MAX_BODY_BYTES, `At most 50 KB (${MAX_BODY_BYTES} bytes of UTF-8).`),
  ).describe(`${what}, with {{placeholders}}. Left out, the built-in one is used.`);

const TemplateOverrideSchema = z
  .strictObject({
    subject: withKnownPlaceholders(z.string().min(1).max(MAX_SUBJECT_CHARS))
      .optional()
      .describe('Subject line, at most 200 characters, with {{placeholders}}; line breaks are removed.'),
    text: bodyPart('Plain-text body').optional(),
    html: bodyPart('HTML body; substituted values are HTML-escaped').optional(),
  })
  .openapi('EmailTemplateOverride');

/** The tenant setting `emailTemplates`: per BCP 47 locale and kind, the parts of the built-in email to replace. */
export const TemplateOverridesSchema = z
  .record(
    LocaleTagSchema,
    z.strictObject({ invitation: TemplateOverrideSchema.optional(), reminder: TemplateOverrideSchema.optional() }),
  )
  .describe(
    `Email template overrides by locale (only ${SUPPORTED_LOCALES.join(', ')} are used) and kind. Placeholders: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}.`,
  )
  .openapi('EmailTemplates');

/** The override for a locale, matching its key case-insensitively ("FR" counts as "fr"). */
function overrideFor(overrides: TemplateOverrides | undefined, locale: string, kind: TemplateKind): TemplateOverride {
  for (const [key, byKind] of Object.entries(overrides ?? {})) if (key.toLowerCase() === locale) return byKind[kind] ?? {};
  return {};
}

/**
 * Renders one email in the best supported locale for `locale`. Overrides for that locale replace only the
 * parts they give; values substituted into an HTML override are escaped, and the subject is kept on one line.
 */
export function renderEmail(kind: TemplateKind, locale: string, vars: TemplateVars, overrides?: TemplateOverrides): RenderedEmail {
  const chosen = resolveLocale(locale);
  const copy = COPY[chosen] ?? en;
  const brand = /^#[0-9a-f]{6}$/i.test(vars.brandColor) ? vars.brandColor : NEUTRAL_BRAND;
  const ctx: EmailContext = { kind, locale: chosen, copy, vars, expires: formatExpiry(vars.expiresAt, chosen), brand };
  const override = overrideFor(overrides, chosen, kind);
  const values = placeholderValues(vars, ctx.expires, brand);
  const subject =
    override.subject !== undefined ? fillPlaceholders(override.subject, values) : copy.subject(kind, vars.inviterName, vars.targetName);
  return {
    subject: oneLine(subject),
    text: override.text !== undefined ? fillPlaceholders(override.text, values) : renderTextBody(ctx),
    html: override.html !== undefined ? fillPlaceholders(override.html, values, escapeHtml) : renderHtmlBody(ctx),
    locale: chosen,
  };
}
