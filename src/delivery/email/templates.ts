import {
  fillPlaceholders,
  SUPPORTED_LOCALES,
  type SupportedLocale,
  type TemplateKind,
  type TemplateOverride,
  type TemplateOverrides,
} from '#tenants';
import type { EmailContext, EmailCopy } from './copy';
import { escapeHtml, renderHtmlBody } from './html-body';
import { de } from './locales/de';
import { en } from './locales/en';
import { fr } from './locales/fr';
import { placeholderValues } from './placeholders';
import type { TemplateVars } from './template-vars';
import { renderTextBody } from './text-body';

/** One email, ready for the Mailer. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The locale actually used (one of SUPPORTED_LOCALES). */
  readonly locale: string;
}

// Typed by SupportedLocale: a locale added there without its copy here does not compile.
const COPY: Readonly<Record<SupportedLocale, EmailCopy>> = { en, fr, de };

const NEUTRAL_BRAND = '#4f46e5';

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

/** The override for a locale, matching its key case-insensitively ("FR" counts as "fr"). */
function overrideFor(overrides: TemplateOverrides | undefined, locale: string, kind: TemplateKind): TemplateOverride {
  for (const [key, byKind] of Object.entries(overrides ?? {}))
    if (key.toLowerCase() === locale) return byKind[kind] ?? {};
  return {};
}

/**
 * Renders one email in the best supported locale for `locale`. Overrides for that locale replace only the
 * parts they give; values substituted into an HTML override are escaped, and the subject is kept on one line.
 */
export function renderEmail(
  kind: TemplateKind,
  locale: string,
  vars: TemplateVars,
  overrides?: TemplateOverrides,
): RenderedEmail {
  const chosen = resolveLocale(locale);
  const copy = COPY[chosen as SupportedLocale] ?? en;
  const brand = /^#[0-9a-f]{6}$/i.test(vars.brandColor) ? vars.brandColor : NEUTRAL_BRAND;
  const ctx: EmailContext = { kind, locale: chosen, copy, vars, expires: formatExpiry(vars.expiresAt, chosen), brand };
  const override = overrideFor(overrides, chosen, kind);
  const values = placeholderValues(vars, ctx.expires, brand);
  const subject =
    override.subject !== undefined
      ? fillPlaceholders(override.subject, values)
      : copy.subject(kind, vars.inviterName, vars.targetName);
  return {
    subject: oneLine(subject),
    text: override.text !== undefined ? fillPlaceholders(override.text, values) : renderTextBody(ctx),
    html: override.html !== undefined ? fillPlaceholders(override.html, values, escapeHtml) : renderHtmlBody(ctx),
    locale: chosen,
  };
}
