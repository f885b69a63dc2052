import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '#db';
import type { Clock } from '#common/clock';
import { safeEqual } from '#common/secrets';
import { findSession, type ConsoleSession } from './sessions';

export const SESSION_COOKIE = 'usher_session';

/** What console routes carry. */
export interface ConsoleEnv {
  Variables: { session: ConsoleSession };
}

/** Cookie flags: HttpOnly and SameSite always, Secure whenever Usher is served over https. */
export function sessionCookieOptions(publicUrl: string) {
  return { httpOnly: true, sameSite: 'Lax', secure: publicUrl.startsWith('https:'), path: '/console' } as const;
}

/** Lets only signed-in operators through; others go to the sign-in page and come back. */
export function requireConsoleSession(db: Db, clock: Clock): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = await findSession(db, getCookie(c, SESSION_COOKIE), clock.now());
    if (!session) {
      deleteCookie(c, SESSION_COOKIE, { path: '/console' });
      const back =
        c.req.method === 'GET' ? `?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}` : '';
      return c.redirect(`/console/login${back}`, 303);
    }
    c.set('session', session);
    c.header('cache-control', 'no-store');
    await next();
  };
}

/** The form fields of a console POST, as strings (repeated fields keep their last value). */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) if (typeof value === 'string') fields[key] = value;
  return fields;
}

/**
 * Every console POST must echo the session's CSRF token (synchronizer pattern), so another
 * site cannot make a signed-in browser act; SameSite cookies are the second line.
 */
export function requireCsrf(): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST') {
      await next();
      return;
    }
    const sent = (await formFields(c))._csrf ?? '';
    if (!safeEqual(sent, c.var.session.csrfToken)) {
      return c.html(
        '<!doctype html><title>Refused</title><h1>Refused</h1><p>This form is missing its security token or the token is stale. Go back, reload the page and try again.</p>',
        403,
      );
    }
    await next();
  };
}

export { deleteCookie, getCookie, setCookie };
