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
  /** On a link with allowed domains, the second step: a code was mailed to this address. */
  codeFor?: { readonly email: string; readonly name?: string | undefined };
}) {
  const { invitation: inv, token, locale } = props;
  const notYet = inv.startsAt !== null && Date.parse(inv.startsAt) > props.now.getTime();
  const into = inv.target.name ?? inv.tenant.name;
  // Invitations made before senders were recorded name none: their identity invites, as it did.
  const inviter = inv.invitedBy?.name ?? inv.inviter.displayName;
  const open = !inv.recipientHint;
  const domains = inv.allowedDomains;
  const codeFor = props.codeFor;
  // A link with allowed domains asks for the address first and mails it a code; the code then accepts.
  const action = domains && !codeFor ? `/i/${token}/email-code` : `/i/${token}/accept`;
  // A DID-bound invitation accepts only with a signed proof of the DID, which a browser form cannot give.
  const did = inv.recipientDid;
  const submit = domains && !codeFor ? 'Email me a code' : inv.requireApproval ? 'Ask to join' : 'Accept';
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
      {domains ? (
        <p class="meta">
          Open to addresses at {domains.join(', ')}. We email you a code to check yours is one of them.
        </p>
      ) : null}
      {inv.requireApproval ? (
        <p class="meta">
          Joining needs approval: your request goes to {inv.tenant.name}, and we email you their answer.
        </p>
      ) : null}
      {did ? (
        <p class="meta" role="status">
          This invitation is for the holder of <code>{did}</code>: accept it from your agent or wallet, which can prove
          it holds that DID.
        </p>
      ) : null}
      {codeFor ? (
        <p class="meta" role="status">
          We sent a code to {codeFor.email}. It works for 10 minutes.
        </p>
      ) : null}
      {props.error ? (
        <p class="error" role="alert">
          {props.error}
        </p>
      ) : null}
      {notYet ? (
        <p class="meta" role="status">
          This invitation opens on {formatInstant(inv.startsAt!, locale)}. Come back then to accept it.
        </p>
      ) : did ? (
        inv.multiUse ? null : (
          <form method="post" action={`/i/${token}/decline`}>
            <div class="actions">
              <button class="secondary" type="submit">
                Decline
              </button>
            </div>
          </form>
        )
      ) : (
        <form method="post" action={action}>
          {codeFor ? (
            <>
              <input type="hidden" name="email" value={codeFor.email} />
              {codeFor.name ? <input type="hidden" name="name" value={codeFor.name} /> : null}
              <label for="emailCode">The code we emailed you</label>
              <input
                id="emailCode"
                name="emailCode"
                inputmode="numeric"
                autocomplete="one-time-code"
                pattern="[0-9]{6}"
                maxlength={6}
                required
              />
            </>
          ) : open ? (
            <>
              <label for="name">Your name</label>
              <input id="name" name="name" autocomplete="name" maxlength={200} />
              <label for="email">Your email</label>
              <input id="email" name="email" type="email" autocomplete="email" required maxlength={254} />
            </>
          ) : null}
          <div class="actions">
            <button class="primary" type="submit">
              {submit}
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
