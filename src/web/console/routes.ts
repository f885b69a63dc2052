import { Hono } from 'hono';
import type { ConsoleDeps } from './deps';
import { createFunnelPage } from './funnel-page';
import { createInvitationPages } from './invitation-pages';
import { createLinkPages } from './link-pages';
import { createLoginRoutes, createLogoutRoute } from './login';
import { requireConsoleSession, requireCsrf, type ConsoleEnv } from './middleware';
import { requireConsoleScope } from './section-scopes';

/** The operator console: sign-in, then every page behind a session and CSRF-checked forms. */
export function createConsoleRoutes(
  deps: ConsoleDeps,
  pages: ReadonlyArray<(deps: ConsoleDeps) => Hono<ConsoleEnv>> = [],
) {
  const app = new Hono<ConsoleEnv>();
  app.route('/', createLoginRoutes(deps));
  const guard = requireConsoleSession(deps.db, deps.clock);
  const csrf = requireCsrf();
  const scoped = requireConsoleScope();
  app.use('/console/*', async (c, next) => {
    if (c.req.path === '/console/login') return next();
    return guard(c, async () => {
      // The guard set the session; a CSRF or scope refusal is this request's response.
      const refused = await csrf(c, async () => {
        const denied = await scoped(c, next);
        if (denied instanceof Response) c.res = denied;
      });
      if (refused instanceof Response) c.res = refused;
    });
  });
  app.route('/', createLogoutRoute(deps));
  for (const create of [createInvitationPages, createLinkPages, createFunnelPage, ...pages])
    app.route('/', create(deps));
  return app;
}
