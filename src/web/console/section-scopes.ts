import type { MiddlewareHandler } from 'hono';
import { hasScope, type KeyRights, type Scope } from '#common/rights';
import type { ConsoleEnv } from './middleware';

/**
 * The scope each console section needs to be seen (GET) and to act (POST): a session has the
 * rights of the key it signed in with, as that key would have on /v1. Sections not listed
 * (sign-out) need none.
 */
const SECTIONS: Readonly<Record<string, { readonly see: Scope; readonly act: Scope }>> = {
  invitations: { see: 'invitations:read', act: 'invitations:write' },
  deliveries: { see: 'invitations:read', act: 'invitations:write' },
  funnel: { see: 'invitations:read', act: 'invitations:write' },
  'join-requests': { see: 'invitations:read', act: 'invitations:write' },
  mailbox: { see: 'invitations:read', act: 'invitations:write' },
  contacts: { see: 'contacts:manage', act: 'contacts:manage' },
  identities: { see: 'identities:manage', act: 'identities:manage' },
  webhooks: { see: 'webhooks:manage', act: 'webhooks:manage' },
  keys: { see: 'keys:manage', act: 'keys:manage' },
  settings: { see: 'settings:manage', act: 'settings:manage' },
  audit: { see: 'settings:manage', act: 'settings:manage' },
};

/** The scope a console request needs, or null: `/console/<section>/…`, GET to see, anything else to act. */
export function consoleScope(method: string, path: string): Scope | null {
  const section = SECTIONS[path.split('/')[2] ?? ''];
  if (!section) return null;
  return method === 'GET' || method === 'HEAD' ? section.see : section.act;
}

/** Whether the session may open a section's pages: the navigation shows only those. */
export const maySee = (rights: KeyRights, section: string): boolean => {
  const scope = consoleScope('GET', `/console/${section}`);
  return scope === null || hasScope(rights, scope);
};

/** Refuses a console request beyond the session's key with a 403 page naming the scope (a forged POST included). */
export function requireConsoleScope(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const scope = consoleScope(c.req.method, c.req.path);
    if (scope && !hasScope(c.var.session.rights, scope)) {
      const page = `<!doctype html><html lang="en"><title>Refused · Usher console</title><main><h1>Refused</h1><p>The API key this session signed in with lacks the <code>${scope}</code> scope. <a href="/console">Back to the console</a></p></main></html>`;
      return c.html(page, 403);
    }
    await next();
  };
}
