import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** A Content-Security-Policy for the pages under one path prefix (`/console`, `/i/`, `/docs`). */
export interface PagePolicy {
  /** A path equal to this, or starting with it followed by `/`; a prefix ending in `/` matches what follows it. */
  readonly prefix: string;
  /** Directives other than `frame-ancestors`, which is always `'none'`. */
  readonly directives: string;
}

/** What the headers depend on. */
export interface SecurityHeadersOptions {
  /** Strict-Transport-Security is sent only when this is https: over http it would be ignored, or lock a host out. */
  readonly publicUrl: string;
  readonly pages: readonly PagePolicy[];
}

/** The CSP source of an inline script's exact text, so a page may run it without `'unsafe-inline'`. */
export function scriptHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

const YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * Security headers. Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`
 * (invitation links carry their token in the path, which a Referer would hand to any page they
 * link to or load from), and HSTS when the public URL is https. Pages: their policy, never framed
 * (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for browsers without CSP 2), so no other
 * site can lay a one-click Accept under its own content. Every string is built once, here; a
 * request costs a few `Headers.set` calls and a prefix test.
 */
export function securityHeaders(options: SecurityHeadersOptions): MiddlewareHandler {
  const common: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
  ];
  if (new URL(options.publicUrl).protocol === 'https:') {
    common.push(['strict-transport-security', `max-age=${YEAR_SECONDS}; includeSubDomains`]);
  }
  const pages = options.pages.map((page) => ({
    exact: page.prefix.endsWith('/') ? null : page.prefix,
    under: page.prefix.endsWith('/') ? page.prefix : `${page.prefix}/`,
    policy: `${page.directives}; frame-ancestors 'none'`,
  }));
  return async (c, next) => {
    await next();
    const headers = c.res.headers;
    for (const [name, value] of common) headers.set(name, value);
    const path = c.req.path;
    const page = pages.find((p) => path === p.exact || path.startsWith(p.under));
    if (page) {
      headers.set('content-security-policy', page.policy);
      headers.set('x-frame-options', 'DENY');
    }
  };
}
