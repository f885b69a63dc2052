import type { Placeholder } from '#tenants';
import type { TemplateVars } from './template-vars';

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
