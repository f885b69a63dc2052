/** @jsxImportSource hono/jsx */
import type { PublicInvitation } from '#invitations';
import { raw } from 'hono/html';
import { Layout } from './layout';

/**
 * True for an http(s) URL: the only kind a page may load or send the browser to. Settings stored
 * before their schemes were checked may hold javascript: or data:.
 */
export function isWebUrl(url: string | null | undefined): url is string {
  return url !== null && url !== undefined && /^https?:\/\//i.test(url);
}

/** Formats an instant for the visitor's language; the time zone is stated, since the server cannot know theirs. */
export function formatInstant(iso: string, locale: string): string {
  return `${new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(new Date(iso))} UTC`;
}

/** The invitation, with Accept and Decline buttons that POST. Rendering it changes nothing. */
export function AcceptPage(props: {
  invitation: PublicInvitation;
  token: string;
  locale: string;
  now: Date;
  qr?: string;
  error?: string;
}) {
  const { invitation: inv, token, locale } = props;
  const notYet = inv.startsAt !== null && Date.parse(inv.startsAt) > props.now.getTime();
  const into = inv.target.name ?? inv.tenant.name;
  // Invitations made before senders were recorded name none: their identity invites, as it did.
  const inviter = inv.invitedBy?.name ?? inv.inviter.displayName;
  const open = !inv.recipientHint;
  return (
    <Layout title={`Invitation to ${into}`} brand={inv.tenant.branding.color} lang={locale}>
      {isWebUrl(inv.tenant.branding.logoUrl) ? (
        <img class="logo" src={inv.tenant.branding.logoUrl} alt={inv.tenant.name} />
      ) : (
        <p class="from">{inv.tenant.name}</p>
      )}
      <h1>
        {inviter} invites you to join {into}
        {inv.role ? ` as ${inv.role}` : ''}
      </h1>
      {inv.rules.length > 0 ? <p class="meta">Roles: {inv.rules.join(', ')}</p> : null}
      {inv.message ? <blockquote>{inv.message}</blockquote> : null}
      {inv.recipientHint ? <p class="meta">Sent to {inv.recipientHint}</p> : null}
      <p class="meta">Valid until {formatInstant(inv.expiresAt, locale)}</p>
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      {notYet ? (
        <p class="meta" role="status">
          This invitation opens on {formatInstant(inv.startsAt!, locale)}. Come back then to accept it.
        </p>
      ) : (
        <form method="post" action={`/i/${token}/accept`}>
          {open ? (
            <>
              <label for="name">Your name</label>
              <input id="name" name="name" autocomplete="name" maxlength={200} />
              <label for="email">Your email</label>
              <input id="email" name="email" type="email" autocomplete="email" required maxlength={254} />
            </>
          ) : null}
          <div class="actions">
            <button class="primary" type="submit">
              Accept
            </button>
            {inv.multiUse ? null : (
              <button class="secondary" type="submit" formaction={`/i/${token}/decline`} formnovalidate>
                Decline
              </button>
            )}
          </div>
        </form>
      )}
      {props.qr ? (
        <div class="qr">
          <p class="meta">Share this invitation, or open it on a phone:</p>
          {/* The image role on the code alone: an image's children are hidden, and the sentence above must be read. */}
          <div role="img" aria-label="QR code of this invitation link">
            {raw(props.qr)}
          </div>
        </div>
      ) : null}
    </Layout>
  );
}
