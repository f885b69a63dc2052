/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import type { Db } from '#db';
import type { Clock } from '#common/clock';
import { newSecret, safeEqual } from '#common/secrets';
import { BarePage } from './layout';
import { deleteCookie, formFields, getCookie, SESSION_COOKIE, sessionCookieOptions, setCookie } from './middleware';
import { signIn, signOut } from './sessions';
import type { ConsoleDeps } from './deps';

const LOGIN_CSRF_COOKIE = 'usher_login_csrf';

function LoginPage(props: { csrf: string; next: string; error?: string }) {
  return (
    <BarePage title="Sign in">
      <div class="card">
        <h1>Usher console</h1>
        <p class="muted">
          Sign in with an API key of your tenant. The console acts with that key's rights; revoking the key ends the
          session.
        </p>
        {props.error ? (
          <p class="alert" role="alert">
            {props.error}
          </p>
        ) : null}
        <form method="post" action="/console/login">
          <input type="hidden" name="_csrf" value={props.csrf} />
          <input type="hidden" name="next" value={props.next} />
          <label for="key">API key</label>
          <input id="key" name="key" type="password" autocomplete="current-password" required />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </form>
      </div>
    </BarePage>
  );
}

/** Only local console paths may be returned to after sign-in (no open redirect). */
function safeNext(next: string | undefined): string {
  return next && /^\/console(\/[A-Za-z0-9/_\-.?=&%]*)?$/.test(next) && !next.startsWith('//')
    ? next
    : '/console/invitations';
}

type LoginDeps = { db: Db; clock: Clock; publicUrl: string; signInGuard?: ConsoleDeps['signInGuard'] };

/** Seconds as a person reads them: "40 seconds", "3 minutes". */
function waitText(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

/**
 * Sign-in and sign-out. There is no session yet at sign-in, so its form is protected by a
 * double-submit cookie instead of the session's token (login CSRF).
 */
export function createLoginRoutes({ db, clock, publicUrl, signInGuard }: LoginDeps) {
  const cookieOptions = sessionCookieOptions(publicUrl);
  return new Hono()
    .get('/console/login', (c) => {
      const csrf = newSecret();
      setCookie(c, LOGIN_CSRF_COOKIE, csrf, { ...cookieOptions, maxAge: 3600 });
      c.header('cache-control', 'no-store');
      return c.html(<LoginPage csrf={csrf} next={safeNext(c.req.query('next'))} />);
    })
    .post('/console/login', async (c) => {
      const fields = await formFields(c);
      const expected = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
      if (!expected || !safeEqual(fields._csrf ?? '', expected)) {
        return c.html(
          <LoginPage
            csrf={expected || newSecret()}
            next={safeNext(fields.next)}
            error="Your sign-in form expired. Please try again."
          />,
          403,
        );
      }
      // A locked-out client is refused before its key is looked at: guessing teaches it nothing meanwhile.
      const locked = (await signInGuard?.lockedFor(c)) ?? 0;
      if (locked > 0) {
        c.header('retry-after', String(locked));
        const error = `Too many failed sign-ins from your network. Try again in ${waitText(locked)}.`;
        return c.html(<LoginPage csrf={expected} next={safeNext(fields.next)} error={error} />, 429);
      }
      const signedIn = await signIn(db, (fields.key ?? '').trim(), clock.now());
      if (!signedIn) {
        await signInGuard?.failed(c);
        const error = 'That API key is not valid, or it was revoked.';
        return c.html(<LoginPage csrf={expected} next={safeNext(fields.next)} error={error} />, 401);
      }
      await signInGuard?.succeeded(c);
      deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/console' });
      setCookie(c, SESSION_COOKIE, signedIn.cookie, { ...cookieOptions, maxAge: 12 * 3600 });
      return c.redirect(safeNext(fields.next), 303);
    })
    .get('/console', (c) => c.redirect('/console/invitations', 303));
}

/** Sign-out: a POST with the session's CSRF token (mounted behind the session guard). */
export function createLogoutRoute({ db }: { db: Db }) {
  return new Hono().post('/console/logout', async (c) => {
    await signOut(db, getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/console' });
    return c.redirect('/console/login', 303);
  });
}
