import type { TemplateVars } from './templates';

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
 * The plain-text value of every placeholder: absent values are empty, rules are comma-separated, and
 * `expires` / `brand` are the already localized date and sanitized colour.
 */
export function placeholderValues(vars: TemplateVars, expires: string, brand: string): Record<Placeholder, string> {
  return {
    tenantName: vars.tenantName,
    inviterName: vars.inviterName,
    inviterEmail: vars.inviterEmail ?? '',
    identityName: vars.identityName ?? vars.inviterName,
    targetName: vars.targetName,
    role: vars.role ?? '',
    rules: vars.rules.join(', '),
    message: vars.message ?? '',
    recipientName: vars.recipientName ?? '',
    expiresAt: expires,
    acceptUrl: vars.acceptUrl,
    brandColor: brand,
    logoUrl: vars.logoUrl ?? '',
  };
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
  return template.replace(PATTERN, (whole, name: string) => (KNOWN.has(name) ? encode(values[name as Placeholder]) : whole));
}
