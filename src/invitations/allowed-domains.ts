import { z } from '@hono/zod-openapi';
import type { InvitationRow } from '#db';
import { parseJson } from '#common/json';
import { invitationError } from './errors';

/** At most this many domains on one link: a list for an organisation's few domains, not a registry. */
export const ALLOWED_DOMAINS_MAX = 50;

// A DNS name of two or more labels (letters, digits, inner hyphens; punycode for IDNs), no trailing dot.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The create request's `allowedDomains`: lowercased, trimmed, deduplicated. */
export const AllowedDomainsSchema = z
  .array(
    z
      .string()
      .trim()
      .toLowerCase()
      .regex(DOMAIN, 'a domain such as example.com (punycode for internationalised names)'),
  )
  .min(1)
  .max(ALLOWED_DOMAINS_MAX)
  .transform((domains) => [...new Set(domains)])
  .describe(
    'For a link invitation: only addresses in these domains may accept, and each proves its address first (a ' +
      'one-time code mailed to it, or the host application’s signed assertion). Exact match: example.com does not ' +
      'admit a.example.com; list each subdomain that may join.',
  );

/** The domains a stored invitation admits, or null when it admits any address. */
export function allowedDomainsOf(row: Pick<InvitationRow, 'allowed_domains'>): string[] | null {
  return row.allowed_domains ? parseJson<string[]>(row.allowed_domains, []) : null;
}

/**
 * Whether `email` (lowercased) is at one of `domains`. Exact match on the part after the last @: a subdomain may be
 * someone else's (students.example.edu), so each must be listed.
 */
export function isAtAllowedDomain(email: string, domains: readonly string[]): boolean {
  return domains.includes(email.slice(email.lastIndexOf('@') + 1));
}

/**
 * allowedDomains is for an open link: a channel that mints one, naming no one (an addressed invitation admits its
 * recipient, and protocol channels prove their own party). Throws allowed_domains_need_open_link otherwise.
 */
export function checkAllowedDomains(
  input: { readonly allowedDomains?: readonly string[] | undefined; readonly recipient?: object | undefined },
  mintsLink: boolean,
  email: string | null,
): void {
  if (input.allowedDomains === undefined) return;
  const named = email !== null || Object.keys(input.recipient ?? {}).some((field) => field !== 'name');
  if (!mintsLink || named) {
    throw invitationError('allowed_domains_need_open_link', undefined, 'body.allowedDomains');
  }
}
