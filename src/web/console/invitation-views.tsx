/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { Delivery } from '#delivery';
import type { DeliveryChannelState, Invitation, InvitationEvent } from '#invitations';
import { Badge, Csrf, FieldError, TableScroller } from './layout';

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—');

/** Who an invitation is for, in a few words. */
export function recipientLabel(inv: Invitation): string {
  return (
    inv.recipient.email ??
    inv.recipient.name ??
    inv.recipient.did ??
    inv.recipient.actorIri ??
    inv.label ??
    (inv.usesAllowed === 1 ? 'anyone with the link' : 'shareable link')
  );
}

/** The invitations table. */
export function InvitationTable(props: { rows: readonly Invitation[] }) {
  if (props.rows.length === 0) return <p class="card muted">No invitation matches.</p>;
  return (
    <TableScroller label="Invitations">
      <table>
        <thead>
          <tr>
            <th>Recipient</th>
            <th>Channel</th>
            <th>Status</th>
            <th>Target</th>
            <th>Role</th>
            <th>Created</th>
            <th>Expires</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((inv) => (
            <tr>
              <td>
                <a href={`/console/invitations/${inv.id}`}>{recipientLabel(inv)}</a>
                {inv.label ? <div class="muted">{inv.label}</div> : null}
                {inv.invitedBy ? <div class="muted">invited by {inv.invitedBy.name}</div> : null}
              </td>
              <td>{inv.channel}</td>
              <td>
                <Badge value={inv.status} />
                {inv.usesAllowed !== 1 ? (
                  <div class="muted">
                    {inv.usesCount}/{inv.usesAllowed ?? '∞'} uses
                  </div>
                ) : null}
              </td>
              <td>{inv.target.type === 'tenant' ? 'this tenant' : inv.target.name}</td>
              <td>{inv.role ?? <span class="muted">none</span>}</td>
              <td>{when(inv.createdAt)}</td>
              <td>{when(inv.expiresAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

/** The copy buttons' script; the console's Content-Security-Policy allows exactly this text, by its hash. */
export const COPY_LINK_SCRIPT =
  "document.querySelectorAll('[data-copy]').forEach(function(b){b.addEventListener('click',function(){navigator.clipboard" +
  ".writeText(document.getElementById(b.dataset.copy).textContent.trim()).then(function(){b.textContent='Copied'})})})";

/** An invitation link with its copy button, any further actions (`children`), and its QR code. */
export function CopyableLink(props: { url: string; qr: string; children?: Child }) {
  return (
    <>
      <p class="mono" id="invitation-url">
        {props.url}
      </p>
      <div class="actions">
        <button type="button" class="secondary" data-copy="invitation-url">
          Copy link
        </button>
        {props.children}
      </div>
      <div class="qr" role="img" aria-label="QR code of the invitation link">
        {raw(props.qr)}
      </div>
      <script>{raw(COPY_LINK_SCRIPT)}</script>
    </>
  );
}

/** A fresh link, with a copy button and its QR code. */
export function FreshLink(props: { url: string; qr: string }) {
  return (
    <div class="card">
      <p class="notice">The invitation's page shows this link again while it is live, with its QR code.</p>
      <CopyableLink url={props.url} qr={props.qr} />
    </div>
  );
}

/** "Ada Lovelace <ada@…> (id u-7)", or the identity that stood in for an unnamed sender. */
function invitedByLabel(by: Invitation['invitedBy']): string {
  if (!by) return 'not recorded (made before senders were)';
  if (by.source === 'identity') return `${by.name} (the identity: the request named no sender)`;
  return `${by.name}${by.email ? ` <${by.email}>` : ''}${by.id ? ` (id ${by.id})` : ''}`;
}

/** The facts of one invitation. */
export function InvitationFacts(props: { inv: Invitation; delivery: Record<string, DeliveryChannelState> }) {
  const { inv } = props;
  return (
    <div class="card">
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <Badge value={inv.status} />
        </dd>
        <dt>Channel</dt>
        <dd>{inv.channel}</dd>
        <dt>Recipient</dt>
        <dd>{recipientLabel(inv)}</dd>
        <dt>Invited by</dt>
        <dd>{invitedByLabel(inv.invitedBy)}</dd>
        <dt>Target</dt>
        <dd>
          {inv.target.type === 'tenant' ? 'this tenant' : `${inv.target.type}: ${inv.target.name} (${inv.target.iri})`}
        </dd>
        <dt>Role</dt>
        <dd>
          {inv.role ?? 'none (no permissions until granted)'}
          {inv.rules.length ? ` — ${inv.rules.join(', ')}` : ''}
        </dd>
        <dt>Uses</dt>
        <dd>
          {inv.usesCount} of {inv.usesAllowed ?? 'unlimited'}
        </dd>
        <dt>Window</dt>
        <dd>
          {inv.startsAt ? `${when(inv.startsAt)} → ` : ''}
          {when(inv.expiresAt)}
        </dd>
        {inv.purpose ? (
          <>
            <dt>Purpose</dt>
            <dd class="mono">{inv.purpose}</dd>
          </>
        ) : null}
        {inv.message ? (
          <>
            <dt>Message</dt>
            <dd style="white-space:pre-wrap">{inv.message}</dd>
          </>
        ) : null}
        {Object.entries(props.delivery).map(([channel, d]) => (
          <>
            <dt>Delivery ({channel})</dt>
            <dd>
              <Badge value={d.state} /> {d.reason ? <span class="error">{d.reason}</span> : null}
              {d.state === 'retrying' && d.nextAttemptAt ? (
                <div class="muted">
                  {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'} so far; next try {when(d.nextAttemptAt)}
                </div>
              ) : null}
            </dd>
          </>
        ))}
      </dl>
    </div>
  );
}

/** The invitation's events, oldest first. */
export function Timeline(props: { events: readonly InvitationEvent[] }) {
  return (
    <TableScroller label="Timeline">
      <table aria-label="Timeline">
        <thead>
          <tr>
            <th>When</th>
            <th>Event</th>
            <th>Status</th>
            <th>By</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((e) => (
            <tr>
              <td>{when(e.createdAt)}</td>
              <td>{e.type.replace('invitation.', '')}</td>
              <td>
                {e.previousStatus && e.previousStatus !== e.status ? `${e.previousStatus} → ` : ''}
                {e.status}
              </td>
              <td class="muted">{e.actor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

/** Every delivery of the invitation and each of its attempts. */
export function DeliveryLog(props: { deliveries: readonly Delivery[]; csrf: string }) {
  if (props.deliveries.length === 0) return <p class="muted">Nothing to deliver for this invitation.</p>;
  return (
    <TableScroller label="Deliveries">
      <table aria-label="Deliveries">
        <thead>
          <tr>
            <th>What</th>
            <th>State</th>
            <th>Attempts</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d) => (
            <tr>
              <td>{d.topic}</td>
              <td>
                <Badge value={d.state} />
                {d.state === 'failed' ? (
                  <form class="inline" method="post" action={`/console/deliveries/${d.id}/retry`}>
                    <Csrf token={props.csrf} />{' '}
                    <button class="secondary" type="submit">
                      Retry
                    </button>
                  </form>
                ) : null}
              </td>
              <td>
                {d.log.map((a) => (
                  <div>
                    #{a.attempt} {a.outcome} {a.responseCode ?? ''} <span class="muted">{when(a.finishedAt)}</span>{' '}
                    {a.error ? <span class="error">{a.error}</span> : null}
                  </div>
                ))}
                {(d.state === 'queued' || d.state === 'retrying') && d.nextAttemptAt ? (
                  <div class="muted">next try {when(d.nextAttemptAt)}</div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

/** A text input with its label and error. */
export function Field(props: {
  name: string;
  label: string;
  value?: string;
  type?: string;
  errors: Record<string, string>;
  hint?: string;
  required?: boolean;
}) {
  const id = `f-${props.name.replace(/\./g, '-')}`;
  const error = props.errors[props.name];
  // The hint is read with the field, as the error is, not only by someone who looks below it.
  const describedBy = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.hint ? (
        <p class="muted" id={`${id}-hint`} style="margin:.2rem 0 0;font-size:.8rem">
          {props.hint}
        </p>
      ) : null}
      <FieldError id={id} message={error} />
    </div>
  );
}
