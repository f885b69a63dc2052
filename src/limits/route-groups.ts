import type { ClientLimitsPerMinute } from './settings';

/** A group of anonymous routes that share one budget per client. */
export interface RouteGroup {
  /** The policy's name in `RateLimit-Policy`, and the counter's key. */
  readonly name: 'public' | 'sign-in' | 'didcomm' | 'inbox';
  readonly setting: keyof ClientLimitsPerMinute;
  /** A page a person reads (refused with HTML), not an API (refused with problem+json). */
  readonly page: boolean;
}

const PUBLIC_API: RouteGroup = { name: 'public', setting: 'public', page: false };
const ACCEPT_PAGE: RouteGroup = { name: 'public', setting: 'public', page: true };
const SIGN_IN: RouteGroup = { name: 'sign-in', setting: 'signIn', page: true };
const DIDCOMM: RouteGroup = { name: 'didcomm', setting: 'didcomm', page: false };
const INBOX: RouteGroup = { name: 'inbox', setting: 'inbox', page: false };

// Fedify's inbox paths (activitypub/uris.ts): each actor's, and the shared one.
const ACTOR_INBOX = /^\/ap\/users\/[^/]+\/inbox$/;

/**
 * The group a request counts against, or null for routes a caller reaches only with an API key or
 * a session (they have the tenant's budget) and for pages that cost nothing to serve. The accept
 * page's API twin and the page share one budget: they are two doors to the same invitations.
 */
export function routeGroupOf(method: string, path: string): RouteGroup | null {
  if (path.startsWith('/v1/public/')) return PUBLIC_API;
  if (path.startsWith('/i/')) return ACCEPT_PAGE;
  if (method === 'POST' && path === '/console/login') return SIGN_IN;
  if (path === '/didcomm') return DIDCOMM;
  if (method === 'POST' && (path === '/ap/inbox' || ACTOR_INBOX.test(path))) return INBOX;
  return null;
}
