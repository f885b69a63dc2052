/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import { Layout } from './layout';

/**
 * Submits the hand-off form as soon as the page loads; the accept page's Content-Security-Policy
 * allows exactly this text, by its hash. Without script the visible button does the same.
 */
export const HAND_OFF_SCRIPT = "document.getElementById('hand-off').submit()";

/** What the host application receives, as application/x-www-form-urlencoded fields of a POST. */
export interface HandOff {
  readonly redirectUrl: string;
  readonly acceptanceToken: string;
  readonly invitationId: string;
}

/**
 * The end of an accepted invitation, as OpenID Connect's form_post response mode ends a login: the
 * browser POSTs `acceptance_token` and `invitation_id` to the redirect URL, so the token never sits
 * in a URL that proxies, browser history or a Referer would keep.
 */
export function HandOffPage(props: { handOff: HandOff; tenant: string; brand: string; locale: string }) {
  const { handOff } = props;
  return (
    <Layout title={`Continue to ${props.tenant}`} brand={props.brand} lang={props.locale}>
      <h1>Invitation accepted</h1>
      <p>Taking you to {props.tenant}…</p>
      <form id="hand-off" method="post" action={handOff.redirectUrl}>
        <input type="hidden" name="acceptance_token" value={handOff.acceptanceToken} />
        <input type="hidden" name="invitation_id" value={handOff.invitationId} />
        <div class="actions">
          <button class="primary" type="submit">
            Continue to {props.tenant}
          </button>
        </div>
      </form>
      <script>{raw(HAND_OFF_SCRIPT)}</script>
    </Layout>
  );
}
