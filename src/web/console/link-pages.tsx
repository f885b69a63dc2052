/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { qrPng, qrSvg } from '#common/qr';
import { apiKeyActor } from '#invitations';
import type { ConsoleDeps } from './deps';
import { CopyableLink } from './invitation-views';
import { formFields, type ConsoleEnv } from './middleware';
import { refusalErrors } from './forms';
import { Csrf } from './layout';
import { pageRenderer } from './render';

type C = Context<ConsoleEnv>;

/** Why the console cannot show a link, in words an operator can act on. */
const UNAVAILABLE: Record<string, string> = {
  not_pending: 'This invitation is closed: its link now only shows what became of it.',
  secret_changed:
    'This link was made with another link secret (USHER_LINK_SECRET or its file), so this server cannot show it. It still works for whoever has it. Reset it to get one this server can show.',
  minted_before_recovery:
    'This link was made before links could be shown again. It still works for whoever has it. Reset it to get one that can be shown.',
};

/** The live link of a link or email invitation: the URL to copy, its QR code, downloads, and the reset. */
export function InvitationLink(props: {
  id: string;
  url: string | null;
  urlUnavailable: string | null;
  pending: boolean;
  qr: string | null;
  csrf: string;
}) {
  const base = `/console/invitations/${props.id}`;
  return (
    <div class="card">
      <h2>Link</h2>
      {props.url && props.qr ? (
        <CopyableLink url={props.url} qr={props.qr}>
          <a class="button secondary" href={`${base}/qr.svg`} download>
            Download SVG
          </a>
          <a class="button secondary" href={`${base}/qr.png`} download>
            Download PNG
          </a>
        </CopyableLink>
      ) : (
        <p class="muted">{UNAVAILABLE[props.urlUnavailable ?? ''] ?? 'No link to show.'}</p>
      )}
      {props.pending ? (
        <form method="post" action={`${base}/reset-link`}>
          <Csrf token={props.csrf} />
          <label>
            <input type="checkbox" name="confirm" value="yes" required /> The current link, and every QR code printed or
            shared of it, stops working at once
          </label>
          <div class="actions">
            <button type="submit" class="danger">
              Reset link
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

/** The console's link routes: reset (a POST with its confirmation) and the QR code downloads. */
export function createLinkPages({ db, invitations }: ConsoleDeps) {
  const page = pageRenderer(db, 'invitations');
  const qrDownload = (format: 'svg' | 'png') => async (c: C) => {
    const id = c.req.param('id')!;
    let url: string;
    try {
      url = await invitations.liveUrl(c.var.session.tenantId, id);
    } catch (error) {
      return page(
        c,
        'No link',
        <p class="alert" role="alert">
          {Object.values(refusalErrors(error))[0]}
        </p>,
        409,
      );
    }
    const headers = {
      'content-disposition': `attachment; filename="invitation-${id}.${format}"`,
      'cache-control': 'no-store',
    };
    if (format === 'svg') return c.body(await qrSvg(url, 1024), 200, { ...headers, 'content-type': 'image/svg+xml' });
    return c.body(new Uint8Array(await qrPng(url, 1024)), 200, { ...headers, 'content-type': 'image/png' });
  };
  return new Hono<ConsoleEnv>()
    .get('/console/invitations/:id/qr.svg', qrDownload('svg'))
    .get('/console/invitations/:id/qr.png', qrDownload('png'))
    .post('/console/invitations/:id/reset-link', async (c) => {
      const id = c.req.param('id');
      const back = <a href={`/console/invitations/${id}`}>Back to the invitation</a>;
      // Without JavaScript the checkbox's `required` is the confirmation; a request without it changes nothing.
      if ((await formFields(c)).confirm !== 'yes') {
        return page(
          c,
          'Link not reset',
          <>
            <p class="alert" role="alert">
              Confirm that the current link stops working.
            </p>
            <p>{back}</p>
          </>,
          400,
        );
      }
      try {
        await invitations.resetLink(c.var.session.tenantId, id, apiKeyActor(c.var.session, 'console'));
      } catch (error) {
        return page(
          c,
          'Link not reset',
          <>
            <p class="alert" role="alert">
              {Object.values(refusalErrors(error))[0]}
            </p>
            <p>{back}</p>
          </>,
          409,
        );
      }
      return c.redirect(`/console/invitations/${id}`, 303);
    });
}
