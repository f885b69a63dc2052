import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { AcceptanceTokenError, UsherError, verifyWebhook, WebhookVerificationError } from '@usher/sdk';
import { admissionFrom } from './admission.ts';
import { describeEvent, type UsherWebhook } from './describe-event.ts';
import { INVITABLE_ROLES, messagePage, signInPage, teamPage, type InviteError } from './pages.ts';
import type { SignedInUser, Store } from './store.ts';
import type { Team, UsherConnection } from './usher.ts';

const SESSION_COOKIE = 'teamboard_session';

/** What the app's routes need; `secureCookies` when the app is served over https. */
export interface HostAppDeps {
  readonly store: Store;
  readonly usher: UsherConnection;
  readonly team: Team;
  readonly secureCookies: boolean;
}

/** The example's web application: sign in, the team page, inviting, and the two doors Usher comes through. */
export function createHostApp({ store, usher, team, secureCookies }: HostAppDeps) {
  const app = new Hono<{ Variables: { user: SignedInUser | null } }>();
  // This app's own forms must come from its own pages. Usher's two calls below come from elsewhere by design;
  // a signature (webhook) or a signed token (acceptance) is what they are checked by instead.
  const sameOrigin = csrf();

  app.use(async (c, next) => {
    const session = getCookie(c, SESSION_COOKIE);
    c.set('user', session ? store.sessionUser(session) : null);
    await next();
  });

  const signIn = (c: Context, userId: string) => {
    const cookie = { httpOnly: true, sameSite: 'Lax', path: '/', secure: secureCookies } as const;
    setCookie(c, SESSION_COOKIE, store.createSession(userId), cookie);
  };

  app.get('/', (c) => c.redirect(c.var.user ? '/team' : '/signin', 303));
  app.get('/signin', (c) => c.html(signInPage()));

  app.post('/signin', sameOrigin, async (c) => {
    const form = await c.req.parseBody();
    const name = String(form.name ?? '').trim();
    const email = String(form.email ?? '').trim();
    if (!name || !/^[^@\s]+@[^@\s]+$/.test(email)) return c.html(signInPage('Give a name and an email address.'), 400);
    signIn(c, store.signIn(name, email).id);
    return c.redirect('/team', 303);
  });

  app.post('/signout', sameOrigin, (c) => {
    const session = getCookie(c, SESSION_COOKIE);
    if (session) store.endSession(session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/signin', 303);
  });

  const showTeam = (user: SignedInUser, extra: { notice?: string; inviteError?: InviteError }) =>
    teamPage({ teamName: team.name, user, members: store.members(), events: store.recentEvents(), ...extra });

  app.get('/team', (c) => {
    const user = c.var.user;
    if (!user) return c.redirect('/signin', 303);
    const invited = c.req.query('invited');
    const notice =
      c.req.query('joined') !== undefined && user.role
        ? `Welcome to ${team.name}, ${user.name}: you joined as ${user.role}.`
        : invited
          ? `Invitation sent to ${invited}.`
          : undefined;
    return c.html(showTeam(user, notice ? { notice } : {}));
  });

  app.post('/invite', sameOrigin, async (c) => {
    const user = c.var.user;
    if (!user) return c.redirect('/signin', 303);
    if (user.role !== 'owner' && user.role !== 'admin') {
      return c.html(messagePage('Not allowed', 'Only owners and admins invite.'), 403);
    }
    const form = await c.req.parseBody();
    const email = String(form.email ?? '').trim();
    const role = String(form.role ?? '');
    if (!(INVITABLE_ROLES as readonly string[]).includes(role)) {
      return c.html(messagePage('Unknown role', `No role "${role}".`), 400);
    }
    try {
      await usher.invite(user, email, role);
    } catch (error) {
      if (!(error instanceof UsherError) || error.status >= 500) {
        // The SDK has retried already. Trying again cannot invite twice: Usher refuses a second pending invitation.
        console.error(error);
        return c.html(messagePage('Try again', 'Usher could not be reached; the invitation may not have gone.'), 503);
      }
      // Usher's refusal is a problem with a stable code and a detail a person can read: show it by the form.
      const message = `Usher refused the invitation: ${error.problem?.detail ?? error.message}`;
      return c.html(showTeam(user, { inviteError: { message, email, role } }), 400);
    }
    return c.redirect(`/team?invited=${encodeURIComponent(email)}`, 303);
  });

  // Usher's webhooks (Standard Webhooks): verified against the raw body before anything is read from it.
  app.post('/hooks/usher', async (c) => {
    const body = await c.req.text();
    let event: UsherWebhook;
    try {
      event = (await verifyWebhook(body, c.req.raw.headers, usher.webhookSecret)) as UsherWebhook;
    } catch (error) {
      if (error instanceof WebhookVerificationError) return c.text('invalid signature', 401);
      throw error;
    }
    store.recordEvent(c.req.header('webhook-id')!, { type: event.type, summary: describeEvent(event) });
    return c.body(null, 204);
  });

  // The accept page posts here (form_post): the signed token says who accepted what, with which role.
  app.post('/usher/accepted', async (c) => {
    const form = await c.req.parseBody();
    const token = String(form.acceptance_token ?? '');
    let admission;
    try {
      const claims = await usher.verifyAcceptance(token);
      admission = admissionFrom(claims, { teamIri: team.iri, invitationId: String(form.invitation_id ?? '') });
    } catch (error) {
      if (!(error instanceof AcceptanceTokenError)) throw error;
      admission = { refused: `The acceptance could not be verified (${error.message}).` };
    }
    if ('refused' in admission) return c.html(messagePage('Could not join', admission.refused), 400);
    const user = store.admit(admission);
    if (!user) {
      return c.html(messagePage('Already used', 'This acceptance was already used to join. Sign in instead.'), 409);
    }
    signIn(c, user.id);
    return c.redirect('/team?joined', 303);
  });

  return app;
}
