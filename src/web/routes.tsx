/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { AppError } from '#common/errors';
import { usableLocale } from '#common/locale';
import type { Clock } from '#common/clock';
import { invitationUrl, type InvitationService, type PublicInvitation } from '#invitations';
import { qrSvg } from '#common/qr';
import { HandOffPage } from './hand-off-page';
import { AcceptPage, isWebUrl } from './accept-page';
import { StatePage, STATE_MESSAGES, type StateKey } from './state-page';

/**
 * The visitor's first Accept-Language tag that Intl knows, else the invitation's locale, else "en":
 * rows stored before locales were checked may hold a tag Intl refuses, and the page must still render.
 */
function visitorLocale(header: string | undefined, fallback: string): string {
  const tags = (header ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim())
    .filter(Boolean);
  for (const tag of tags) {
    try {
      if (Intl.DateTimeFormat.supportedLocalesOf(tag).length > 0) return tag;
    } catch {
      // not a well-formed tag: try the next
    }
  }
  return usableLocale(fallback);
}

function stateOf(invitation: PublicInvitation): StateKey | null {
  switch (invitation.status) {
    case 'pending':
    case 'tentative':
      return null;
    case 'accepted':
      return 'invitation_already_accepted';
    case 'declined':
      return 'invitation_declined';
    case 'revoked':
      return 'invitation_revoked';
    case 'expired':
      return 'invitation_expired';
    case 'exhausted':
      return 'invitation_exhausted';
  }
}

/** "You joined Apollo at Acme as editor.": what accepting gave, for the page that ends without a redirect. */
function joined(invitation: PublicInvitation, role: string | null): string {
  return `You joined ${placeOf(invitation)}${role ? ` as ${role}` : ''}.`;
}

/** "Apollo at Acme", or the tenant's name when the invitation is to the tenant itself. */
function placeOf(invitation: PublicInvitation): string {
  const { target, tenant } = invitation;
  return target.name && target.name !== tenant.name ? `${target.name} at ${tenant.name}` : tenant.name;
}

/** "Your request to join Apollo at Acme was sent; …": what asking gave, on a link that requires approval. */
function requested(invitation: PublicInvitation, emailed: boolean): string {
  const next = emailed
    ? "you'll get an email when it is decided."
    : 'once it is approved, open this link again to join.';
  return `Your request to join ${placeOf(invitation)} was sent; ${next}`;
}

function isStateKey(code: string): code is StateKey {
  return code in STATE_MESSAGES;
}

/** What the page says for the refusals of a link with allowed domains. */
const PAGE_ERRORS: Readonly<Record<string, string>> = {
  email_domain_not_allowed: 'This invitation is open to other email domains only.',
  email_proof_required: 'Please ask for a code first: we email it to your address.',
  email_code_invalid: 'That code is not right, or no longer works. Try again, or ask for a new one.',
  did_proof_required: 'This invitation is for the holder of a DID: accept it from your agent or wallet.',
};

/**
 * The page behind every invitation link. GET only reads; Accept and Decline are POSTs, so mail
 * scanners and link previews cannot answer for the invitee. The token in the path is the only
 * credential, so a cross-site form cannot forge a post without already holding the link.
 */
export function createAcceptPageRoutes({
  invitations,
  clock,
  publicUrl,
}: {
  invitations: InvitationService;
  clock: Clock;
  publicUrl: string;
}) {
  const app = new Hono();

  app.get('/i/:token', async (c) => {
    const token = c.req.param('token');
    c.header('cache-control', 'no-store');
    try {
      const invitation = await invitations.viewByToken(token);
      const locale = visitorLocale(c.req.header('accept-language'), invitation.locale);
      const state = stateOf(invitation);
      if (state) return c.html(<StatePage state={state} invitation={invitation} locale={locale} />, 410);
      // A shareable link gets a QR code of itself, to put on a screen or a poster. From the public
      // URL, not the request's: behind a TLS-terminating proxy the request says http://.
      const qr = invitation.channel === 'link' ? await qrSvg(invitationUrl(publicUrl, token)) : undefined;
      return c.html(
        <AcceptPage invitation={invitation} token={token} locale={locale} now={clock.now()} {...(qr ? { qr } : {})} />,
      );
    } catch (error) {
      return refusal(c, error);
    }
  });

  app.post('/i/:token/accept', async (c) => {
    const token = c.req.param('token');
    const form = await c.req.parseBody();
    const field = (name: string) =>
      typeof form[name] === 'string' && form[name].trim() !== '' ? form[name].trim() : undefined;
    const name = field('name');
    const email = field('email');
    const emailCode = field('emailCode');
    try {
      const result = await invitations.acceptByToken(token, {
        ...(name ? { name } : {}),
        ...(email ? { email } : {}),
        // A code pasted as "123 456" is the same code.
        ...(emailCode ? { emailCode: emailCode.replace(/\s/g, '') } : {}),
      });
      const locale = visitorLocale(c.req.header('accept-language'), result.invitation.locale);
      if ('joinRequest' in result) {
        const detail = requested(result.invitation, result.joinRequest.email !== null);
        return c.html(
          <StatePage state="join_requested" invitation={result.invitation} locale={locale} detail={detail} />,
          202,
        );
      }
      // Only to a web page: a javascript: or data: URL stored before schemes were checked is ignored.
      if (isWebUrl(result.redirectUrl)) {
        // The flow ends at the host application, which verifies the token against our JWKS.
        const handOff = {
          redirectUrl: result.redirectUrl,
          acceptanceToken: result.acceptanceToken.token,
          invitationId: result.invitationId,
        };
        c.header('cache-control', 'no-store');
        const { tenant } = result.invitation;
        return c.html(
          <HandOffPage handOff={handOff} tenant={tenant.name} brand={tenant.branding.color} locale={locale} />,
        );
      }
      return c.html(
        <StatePage
          state="accepted_now"
          invitation={result.invitation}
          locale={locale}
          detail={joined(result.invitation, result.membership.role)}
        >
          <p class="meta">There is nothing more to do here: you can close this page.</p>
        </StatePage>,
      );
    } catch (error) {
      if (error instanceof AppError && error.code === 'acceptor_required') {
        return pageAgain(c, token, 'Please give your email address to accept.', 400);
      }
      // A wrong code keeps the code step, with the address already given.
      if (error instanceof AppError && error.code === 'email_code_invalid' && email) {
        return pageAgain(c, token, PAGE_ERRORS.email_code_invalid, 403, { email, name });
      }
      if (error instanceof AppError && error.code in PAGE_ERRORS) {
        return pageAgain(c, token, PAGE_ERRORS[error.code]!, error.status as 400 | 403);
      }
      return refusal(c, error, token);
    }
  });

  // The code step of a link with allowed domains: mail a code to the address, then ask for it.
  app.post('/i/:token/email-code', async (c) => {
    const token = c.req.param('token');
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email.trim() : '';
    const name = typeof form.name === 'string' && form.name.trim() !== '' ? form.name.trim() : undefined;
    try {
      await invitations.requestEmailCode(token, email);
      return pageAgain(c, token, undefined, 200, { email: email.toLowerCase(), name });
    } catch (error) {
      if (error instanceof AppError && error.code in PAGE_ERRORS) {
        return pageAgain(c, token, PAGE_ERRORS[error.code]!, error.status as 400 | 403);
      }
      if (error instanceof AppError && error.code === 'validation_failed') {
        return pageAgain(c, token, 'Please give a valid email address.', 400);
      }
      return refusal(c, error, token);
    }
  });

  /** The accept page again, with what went wrong, or at the code step. */
  async function pageAgain(
    c: Context,
    token: string,
    error: string | undefined,
    status: 200 | 400 | 403,
    codeFor?: { email: string; name?: string | undefined },
  ) {
    const invitation = await invitations.viewByToken(token);
    const locale = visitorLocale(c.req.header('accept-language'), invitation.locale);
    c.header('cache-control', 'no-store');
    return c.html(
      <AcceptPage
        invitation={invitation}
        token={token}
        locale={locale}
        now={clock.now()}
        {...(error ? { error } : {})}
        {...(codeFor ? { codeFor } : {})}
      />,
      status,
    );
  }

  app.post('/i/:token/decline', async (c) => {
    const token = c.req.param('token');
    try {
      const invitation = await invitations.declineByToken(token);
      return c.html(
        <StatePage
          state="declined_now"
          invitation={invitation}
          locale={visitorLocale(c.req.header('accept-language'), invitation.locale)}
        />,
      );
    } catch (error) {
      return refusal(c, error, token);
    }
  });

  /** The state page for a refused link; a known link's page names its tenant and sender. */
  async function refusal(c: Context, error: unknown, token?: string) {
    if (!(error instanceof AppError) || !isStateKey(error.code)) throw error;
    const known =
      token && error.code !== 'invitation_not_found'
        ? await invitations.viewByToken(token).catch(() => undefined)
        : undefined;
    const locale = visitorLocale(c.req.header('accept-language'), known?.locale ?? 'en');
    return c.html(
      <StatePage state={error.code} locale={locale} {...(known ? { invitation: known } : {})} />,
      error.status as 404 | 409 | 410,
    );
  }

  return app;
}
