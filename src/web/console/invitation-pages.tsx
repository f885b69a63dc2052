/** @jsxImportSource hono/jsx */
import { Hono } from 'hono';
import { getDelivery, listDeliveries, deliverySummary, retryDelivery } from '#delivery';
import { apiKeyActor, INVITATION_STATUSES } from '#invitations';
import { hasScope } from '#common/rights';
import { qrSvg } from '#common/qr';
import type { ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { formFields, type ConsoleEnv } from './middleware';
import { refusalErrors, validateForm } from './forms';
import { DeliveryLog, FreshLink, InvitationFacts, InvitationTable, Timeline } from './invitation-views';
import { Csrf } from './layout';
import { InvitationLink } from './link-pages';
import { DAY, inputFromForm, NewInvitationForm } from './invitation-form';

/** Invitation pages: list with the API's filters and sort, create, detail with timeline and deliveries, actions. */
export function createInvitationPages(deps: ConsoleDeps) {
  const { db, clock, invitations } = deps;
  const page = pageRenderer(db, 'invitations');

  return new Hono<ConsoleEnv>()
    .get('/console/invitations', async (c) => {
      const raw = c.req.query();
      // Date inputs give a day; the API takes instants: a day's start, and the start of the day after for "to".
      const day = (value: string | undefined, plusDays = 0) =>
        value && /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? new Date(Date.parse(`${value}T00:00:00Z`) + plusDays * DAY).toISOString()
          : value;
      const { from, to, ...rest } = raw;
      const apiQuery = { ...rest, createdAfter: day(from), createdBefore: day(to, 1) };
      const parsed = invitations.channels.schemas.query.safeParse(
        Object.fromEntries(Object.entries(apiQuery).filter(([, v]) => v !== '' && v !== undefined)),
      );
      const query = parsed.success ? parsed.data : {};
      const result = await invitations.list(c.var.session.tenantId, { limit: 25, ...query });
      const next = result.nextCursor
        ? `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== 'cursor' && v !== '')), cursor: result.nextCursor })}`
        : null;
      return page(
        c,
        'Invitations',
        <>
          {hasScope(c.var.session.rights, 'invitations:write') ? (
            <p class="actions">
              <a class="button" href="/console/invitations/new">
                New invitation
              </a>
            </p>
          ) : null}
          <form method="get" action="/console/invitations" class="filters" aria-label="Filters">
            <div>
              <label for="q-status">Status</label>
              <select id="q-status" name="status">
                <option value="">any</option>
                {INVITATION_STATUSES.map((s) => (
                  <option selected={raw.status === s}>{s}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="q-channel">Channel</label>
              <select id="q-channel" name="channel">
                <option value="">any</option>
                {invitations.channels.names.map((s) => (
                  <option selected={raw.channel === s}>{s}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="q-email">Email</label>
              <input id="q-email" name="email" type="text" value={raw.email ?? ''} />
            </div>
            <div>
              <label for="q-purpose">Purpose</label>
              <input id="q-purpose" name="purpose" type="text" value={raw.purpose ?? ''} />
            </div>
            <div>
              <label for="q-target">Target IRI</label>
              <input id="q-target" name="target" type="text" value={raw.target ?? ''} />
            </div>
            <div>
              <label for="q-from">Created from</label>
              <input id="q-from" name="from" type="date" value={raw.from ?? ''} />
            </div>
            <div>
              <label for="q-to">to</label>
              <input id="q-to" name="to" type="date" value={raw.to ?? ''} />
            </div>
            <div>
              <label for="q-sort">Sort</label>
              <select id="q-sort" name="sort">
                {[
                  ['createdAt', 'created'],
                  ['updatedAt', 'updated'],
                  ['expiresAt', 'expires'],
                ].map(([value, label]) => (
                  <option value={value} selected={(raw.sort ?? 'createdAt') === value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="q-order">Order</label>
              <select id="q-order" name="order">
                <option value="desc" selected={raw.order !== 'asc'}>
                  newest first
                </option>
                <option value="asc" selected={raw.order === 'asc'}>
                  oldest first
                </option>
              </select>
            </div>
            <button type="submit" class="secondary">
              Apply
            </button>
          </form>
          {parsed.success ? null : (
            <p class="alert" role="alert">
              Some filters were not valid and were ignored:{' '}
              {parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}
            </p>
          )}
          <InvitationTable rows={result.data} />
          <p class="actions">
            {raw.cursor ? (
              <a
                class="button secondary"
                href={`/console/invitations?${new URLSearchParams(Object.fromEntries(Object.entries(raw).filter(([k, v]) => k !== 'cursor' && v !== '')))}`}
              >
                First page
              </a>
            ) : null}
            {next ? (
              <a class="button secondary" href={`/console/invitations${next}`}>
                Next page
              </a>
            ) : null}
          </p>
        </>,
      );
    })
    .get('/console/invitations/new', (c) =>
      page(
        c,
        'New invitation',
        <NewInvitationForm
          channels={invitations.channels.names}
          csrf={c.var.session.csrfToken}
          values={{}}
          errors={{}}
        />,
      ),
    )
    .post('/console/invitations', async (c) => {
      const fields = await formFields(c);
      const form = validateForm(invitations.channels.schemas.create, inputFromForm(fields, clock.now()));
      const invalid = (errors: Record<string, string>) =>
        page(
          c,
          'New invitation',
          <NewInvitationForm
            channels={invitations.channels.names}
            csrf={c.var.session.csrfToken}
            values={fields}
            errors={errors}
          />,
          400,
        );
      if (!form.ok) return invalid(form.errors);
      let created;
      try {
        created = await invitations.create(c.var.session.tenantId, form.data, apiKeyActor(c.var.session, 'console'));
      } catch (error) {
        return invalid(refusalErrors(error));
      }
      return page(
        c,
        'Invitation created',
        <>
          <FreshLink url={created.url!} qr={await qrSvg(created.url!)} />
          <p>
            <a href={`/console/invitations/${created.id}`}>Open the invitation</a>
            {created.channel === 'email' ? <span class="muted"> — the email carries this same link.</span> : null}
          </p>
        </>,
      );
    })
    .get('/console/invitations/:id', async (c) => {
      const { tenantId } = c.var.session;
      const id = c.req.param('id');
      let inv;
      try {
        inv = await invitations.getWithUrl(tenantId, id);
      } catch (error) {
        return page(
          c,
          'Not found',
          <p class="alert">{refusalErrors(error)._form ?? Object.values(refusalErrors(error))[0]}</p>,
          404,
        );
      }
      const [events, deliveries] = await Promise.all([
        invitations.events(tenantId, id),
        listDeliveries(db, tenantId, { invitationId: id }),
      ]);
      // A session whose key may only read sees no buttons it could not use.
      const mayAct = hasScope(c.var.session.rights, 'invitations:write');
      const pending = mayAct && inv.status === 'pending' && inv.direction === 'outgoing';
      // Sent to us by another server: the operator answers it, and the answer goes back over its channel.
      const answerable =
        mayAct && inv.direction === 'incoming' && (inv.status === 'pending' || inv.status === 'tentative');
      return page(
        c,
        'Invitation',
        <>
          <InvitationFacts inv={inv} delivery={deliverySummary(deliveries)} />
          {inv.url !== null || inv.urlUnavailable !== null ? (
            <InvitationLink
              id={id}
              url={inv.url}
              urlUnavailable={inv.urlUnavailable}
              pending={pending}
              qr={inv.url ? await qrSvg(inv.url) : null}
              csrf={c.var.session.csrfToken}
            />
          ) : null}
          {pending ? (
            <div class="actions">
              {inv.channel === 'link' ? null : (
                <form method="post" action={`/console/invitations/${id}/resend`}>
                  <Csrf token={c.var.session.csrfToken} />
                  <button type="submit" class="secondary">
                    Resend (new link)
                  </button>
                </form>
              )}
              <form method="post" action={`/console/invitations/${id}/revoke`}>
                <Csrf token={c.var.session.csrfToken} />
                <button type="submit" class="danger">
                  Revoke
                </button>
              </form>
            </div>
          ) : null}
          {answerable ? (
            <div class="actions">
              {(['accept', 'tentative', 'decline'] as const)
                .filter((answer) => !(answer === 'tentative' && inv.status === 'tentative'))
                .map((answer) => (
                  <form method="post" action={`/console/invitations/${id}/answer`}>
                    <Csrf token={c.var.session.csrfToken} />
                    <input type="hidden" name="answer" value={answer} />
                    <button
                      type="submit"
                      class={answer === 'accept' ? '' : answer === 'decline' ? 'danger' : 'secondary'}
                    >
                      {answer === 'accept' ? 'Accept' : answer === 'tentative' ? 'Maybe' : 'Decline'}
                    </button>
                  </form>
                ))}
            </div>
          ) : null}
          <h2>Timeline</h2>
          <Timeline events={events} />
          <h2>Deliveries</h2>
          <DeliveryLog deliveries={deliveries} csrf={c.var.session.csrfToken} />
        </>,
      );
    })
    .post('/console/invitations/:id/revoke', async (c) => {
      const id = c.req.param('id');
      try {
        await invitations.revoke(c.var.session.tenantId, id, apiKeyActor(c.var.session, 'console'));
      } catch (error) {
        return page(
          c,
          'Not revoked',
          <p class="alert" role="alert">
            {Object.values(refusalErrors(error))[0]}
          </p>,
          409,
        );
      }
      return c.redirect(`/console/invitations/${id}`, 303);
    })
    .post('/console/invitations/:id/answer', async (c) => {
      const id = c.req.param('id');
      const answer = String((await c.req.parseBody()).answer ?? '');
      try {
        if (answer === 'decline')
          await invitations.decline(c.var.session.tenantId, id, apiKeyActor(c.var.session, 'console'));
        else if (answer === 'accept' || answer === 'tentative')
          await invitations.answerIncoming(c.var.session.tenantId, id, answer, apiKeyActor(c.var.session, 'console'));
        else
          return page(
            c,
            'Not answered',
            <p class="alert" role="alert">
              Answer accept, tentative or decline.
            </p>,
            400,
          );
      } catch (error) {
        return page(
          c,
          'Not answered',
          <p class="alert" role="alert">
            {Object.values(refusalErrors(error))[0]}
          </p>,
          409,
        );
      }
      return c.redirect(`/console/invitations/${id}`, 303);
    })
    .post('/console/invitations/:id/resend', async (c) => {
      const id = c.req.param('id');
      let resent;
      try {
        resent = await invitations.resend(c.var.session.tenantId, id, apiKeyActor(c.var.session, 'console'));
      } catch (error) {
        return page(
          c,
          'Not resent',
          <p class="alert" role="alert">
            {Object.values(refusalErrors(error))[0]}
          </p>,
          409,
        );
      }
      return page(
        c,
        'New link minted',
        <>
          <p class="notice">Every earlier link of this invitation is dead now, and the expiry starts again.</p>
          <FreshLink url={resent.url!} qr={await qrSvg(resent.url!)} />
          <p>
            <a href={`/console/invitations/${id}`}>Back to the invitation</a>
          </p>
        </>,
      );
    })
    .post('/console/deliveries/:id/retry', async (c) => {
      const delivery = await getDelivery(db, c.var.session.tenantId, c.req.param('id')).catch(() => null);
      if (!delivery) return page(c, 'Not found', <p class="alert">No such delivery.</p>, 404);
      await retryDelivery(db, c.var.session.tenantId, delivery.id, clock.now()).catch(() => undefined);
      return c.redirect(
        delivery.invitationId ? `/console/invitations/${delivery.invitationId}` : '/console/invitations',
        303,
      );
    });
}
