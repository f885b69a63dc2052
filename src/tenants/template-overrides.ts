import { z } from '@hono/zod-openapi';
import { LocaleTagSchema } from '#common/locale';

// A tenant writes these overrides and the email renderer in delivery reads them; they live here, with the
// setting, so that tenants do not depend on delivery. The renderer supplies the placeholders' values.

const LOCALES = ['en', 'fr', 'de'] as const;

/** A locale with built-in email copy; delivery must give each one its copy. */
export type SupportedLocale = (typeof LOCALES)[number];

/** Locales with built-in templates; "en" is the fallback. */
export const SUPPORTED_LOCALES: readonly string[] = LOCALES;

/** Which email: the first invitation, or the reminder sent before it expires. */
export type TemplateKind = 'invitation' | 'reminder';

/** The {{placeholders}} a tenant's template override may use; nothing else is substituted. */
export const PLACEHOLDERS = [
  'tenantName',
  'inviterName',
  'inviterEmail',
  'identityName',
  'targetName',
  'role',
  'rules',
  'message',
  'recipientName',
  'expiresAt',
  'acceptUrl',
  'brandColor',
  'logoUrl',
] as const;

/** One placeholder name, e.g. `inviterName` for `{{inviterName}}`. */
export type Placeholder = (typeof PLACEHOLDERS)[number];

// `{{name}}`, tolerating spaces inside the braces: `{{ name }}`.
const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;
const KNOWN: ReadonlySet<string> = new Set(PLACEHOLDERS);

/** The distinct placeholder names in a template that are not in PLACEHOLDERS, in order of appearance. */
export function findUnknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PATTERN)) if (!KNOWN.has(match[1]!)) unknown.add(match[1]!);
  return [...unknown];
}

/**
 * Replaces each known placeholder with its value passed through `encode` (identity by default); unknown
 * ones stay as written. One pass, so a value that itself contains `{{…}}` is never expanded.
 */
export function fillPlaceholders(
  template: string,
  values: Readonly<Record<Placeholder, string>>,
  encode: (value: string) => string = (value) => value,
): string {
  return template.replace(PATTERN, (whole, name: string) =>
    KNOWN.has(name) ? encode(values[name as Placeholder]) : whole,
  );
}

/** A tenant's replacement for some parts of one built-in template; the parts it leaves out stay built-in. */
export interface TemplateOverride {
  subject?: string;
  text?: string;
  html?: string;
}

/** A tenant's overrides, keyed by locale (e.g. "en", "fr"), then by kind. */
export type TemplateOverrides = Readonly<Record<string, Partial<Record<TemplateKind, TemplateOverride>>>>;

const MAX_SUBJECT_CHARS = 200;
const MAX_BODY_BYTES = 50 * 1024;
const utf8 = new TextEncoder();
const PLACEHOLDER_LIST = PLACEHOLDERS.map((p) => `{{${p}}}`);

function withKnownPlaceholders(part: z.ZodString) {
  return part.superRefine((template, ctx) => {
    for (const name of findUnknownPlaceholders(template)) {
      const message = `Unknown placeholder {{${name}}}; known ones are ${PLACEHOLDER_LIST.join(', ')}.`;
      ctx.addIssue({ code: 'custom', message });
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
    `Email template overrides by locale (only ${SUPPORTED_LOCALES.join(', ')} are used) and kind. ` +
      `Placeholders: ${PLACEHOLDER_LIST.join(' ')}.`,
  )
  .openapi('EmailTemplates');
