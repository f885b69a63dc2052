/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import { getDelivery, listDeliveries, type Delivery } from '#delivery';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
  CreateWebhookEndpointSchema,
} from '#delivery';
import { consoleAudit, type ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { optional, refusalErrors, validateForm } from './forms';
import { Field } from './invitation-views';
import { Badge, ConsoleForm, Csrf, FieldError, TableScroller } from './layout';
import type { ConsoleEnv } from './middleware';

type C = Context<ConsoleEnv>;
const NOTICES = new Map([
  ['enabled', 'Endpoint re-enabled; its failure streak starts again from zero.'],
  ['deleted', 'Endpoint deleted. Deliveries still queued for it will be skipped.'],
]);

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
const eventsLabel = (events: readonly string[]) =>
  events.includes('*') ? 'all events' : events.map((e) => e.replace('invitation.', '')).join(', ');

/** The signing secret, on the one page that shows it. */
function SecretOnce(props: { endpoint: WebhookEndpointWithSecret }) {
  return (
    <div class="card">
      <p class="alert" role="alert">
        Copy this signing secret now: it is shown only this once. If you lose it, rotate the secret to get a new one.
      </p>
      <p class="mono" id="webhook-secret">
        {props.endpoint.secret}
      </p>
      <p>
        Endpoint: <span class="mono">{props.endpoint.url}</span>
      </p>
      <p>
        <a href={`/console/webhooks/${props.endpoint.id}`}>Open the endpoint</a>
      </p>
    </div>
  );
}

function EndpointFacts(props: { endpoint: WebhookEndpoint }) {
  const { endpoint } = props;
  return (
    <div class="card">
      <dl class="facts">
        <dt>URL</dt>
        <dd class="mono">{endpoint.url}</dd>
        {endpoint.description ? (
          <>
            <dt>Description</dt>
            <dd>{endpoint.description}</dd>
          </>
        ) : null}
        <dt>Events</dt>
        <dd>{eventsLabel(endpoint.events)}</dd>
        <dt>Status</dt>
        <dd>
          <Badge value={endpoint.status} />{' '}
          {endpoint.disabledReason ? <span class="muted">{endpoint.disabledReason}</span> : null}
        </dd>
        <dt>Failures in a row</dt>
        <dd>{endpoint.failureStreak}</dd>
        <dt>Created</dt>
        <dd>{when(endpoint.createdAt)}</dd>
      </dl>
    </div>
  );
}

function DeliveryTable(props: { deliveries: readonly Delivery[] }) {
  if (props.deliveries.length === 0) return <p class="card muted">Nothing was sent to this endpoint yet.</p>;
  return (
    <TableScroller label="Delivery log">
      <table aria-label="Delivery log">
        <thead>
          <tr>
            <th>Created</th>
            <th>Event</th>
            <th>State</th>
            <th>Attempts</th>
            <th>Last response</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d) => {
            const last = d.log[d.log.length - 1];
            return (
              <tr>
                <td>{when(d.createdAt)}</td>
                <td>{(d.payload as { type?: string } | null)?.type ?? d.topic}</td>
                <td>
                  <Badge value={d.state} />
                </td>
                <td>{d.attempts}</td>
                <td>{last?.responseCode ?? <span class="muted">—</span>}</td>
                <td>{d.lastError ? <span class="error">{d.lastError}</span> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroller>
  );
}

function EndpointForm(props: {
  csrf: string;
  url: string;
  description: string;
  events: readonly string[];
  errors: Record<string, string>;
}) {
  const e = props.errors;
  return (
    <ConsoleForm action="/console/webhooks" csrf={props.csrf} error={e._form}>
      <Field
        name="url"
        label="URL"
        type="url"
        value={props.url}
        errors={e}
        required
        hint="Usher POSTs signed events here (Standard Webhooks)."
      />
      <Field name="description" label="Description" value={props.description} errors={e} />
      <fieldset aria-describedby={e.events ? 'f-events-error' : undefined} style="border:0;padding:0;margin:.6rem 0 0">
        <legend style="font-size:.85rem;font-weight:600">Events</legend>
        {['*', ...WEBHOOK_EVENT_TYPES].map((type) => (
          <div>
            <input
              type="checkbox"
              id={`f-events-${type}`}
              name="events"
              value={type}
              checked={props.events.includes(type)}
            />{' '}
            <label for={`f-events-${type}`} style="display:inline;font-weight:400">
              {type === '*' ? 'All events' : type}
            </label>
          </div>
        ))}
        <FieldError id="f-events" message={e.events} />
      </fieldset>
      <p>
        <button type="submit">Add endpoint</button>
      </p>
    </ConsoleForm>
  );
}

/** Webhook pages: endpoints with their delivery log, create (secret shown once), ping, re-enable, rotate, delete. */
export function createWebhookPages(deps: ConsoleDeps) {
  const { db, clock, pinger } = deps;
  const page = pageRenderer(db, 'webhooks');
  const notFound = (c: C) =>
    page(
      c,
      'Not found',
      <p class="alert" role="alert">
        No such webhook endpoint in this tenant.
      </p>,
      404,
    );
  const secretPage = (c: C, title: string, endpoint: WebhookEndpointWithSecret) =>
    page(c, title, <SecretOnce endpoint={endpoint} />);
  /** Runs an action on the tenant's endpoint; another tenant's id, or none, is a 404 page. */
  const onEndpoint = (act: (c: C, endpoint: WebhookEndpoint) => Promise<Response>) => async (c: C) => {
    const endpoint = await findEndpoint(db, c.var.session.tenantId, c.req.param('id')!);
    return endpoint ? act(c, endpoint) : notFound(c);
  };

  return new Hono<ConsoleEnv>()
    .get('/console/webhooks', async (c) => {
      const endpoints = await listEndpoints(db, c.var.session.tenantId);
      const notice = NOTICES.get(c.req.query('notice') ?? '');
      return page(
        c,
        'Webhooks',
        <>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          <p class="actions">
            <a class="button" href="/console/webhooks/new">
              New endpoint
            </a>
          </p>
          {endpoints.length === 0 ? (
            <p class="card muted">No webhook endpoint yet.</p>
          ) : (
            <TableScroller label="Webhook endpoints">
              <table>
                <thead>
                  <tr>
                    <th>URL</th>
                    <th>Events</th>
                    <th>Status</th>
                    <th>Failures in a row</th>
                  </tr>
                </thead>
                <tbody>
                  {endpoints.map((endpoint) => (
                    <tr>
                      <td class="mono">
                        <a href={`/console/webhooks/${endpoint.id}`}>{endpoint.url}</a>
                      </td>
                      <td>{eventsLabel(endpoint.events)}</td>
                      <td>
                        <Badge value={endpoint.status} />
                      </td>
                      <td>{endpoint.failureStreak}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroller>
          )}
        </>,
      );
    })
    .get('/console/webhooks/new', (c) =>
      page(
        c,
        'New webhook endpoint',
        <EndpointForm csrf={c.var.session.csrfToken} url="" description="" events={['*']} errors={{}} />,
      ),
    )
    .post('/console/webhooks', async (c) => {
      // Checkboxes repeat the `events` field, which formFields would cut to the last one.
      const body = await c.req.parseBody({ all: true });
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      const events = [body.events ?? []].flat().filter((v): v is string => typeof v === 'string');
      const url = text(body.url).trim();
      const description = optional(text(body.description));
      const invalid = (errors: Record<string, string>) =>
        page(
          c,
          'New webhook endpoint',
          <EndpointForm
            csrf={c.var.session.csrfToken}
            url={url}
            description={description ?? ''}
            events={events}
            errors={errors}
          />,
          400,
        );
      const parsed = validateForm(CreateWebhookEndpointSchema, {
        url,
        events,
        ...(description ? { description } : {}),
      });
      if (!parsed.ok) {
        // An unknown type (`events.2`) can only come from a hand-made request; the checkboxes name the catalogue.
        const errors = Object.fromEntries(
          Object.entries(parsed.errors).map(([k, m]) =>
            k.startsWith('events.') ? ['events', 'Choose from the listed events.'] : [k, m],
          ),
        );
        if (errors.events && events.length === 0) errors.events = 'Choose at least one event, or all events.';
        return invalid(errors);
      }
      try {
        return secretPage(
          c,
          'Webhook endpoint added',
          await createEndpoint(db, c.var.session.tenantId, parsed.data, clock.now(), consoleAudit(deps, c.var.session)),
        );
      } catch (error) {
        return invalid(refusalErrors(error));
      }
    })
    .get(
      '/console/webhooks/:id',
      onEndpoint(async (c, endpoint) => {
        const { tenantId } = c.var.session;
        const pingId = c.req.query('ping');
        const ping = pingId ? await getDelivery(db, tenantId, pingId).catch(() => null) : null;
        const notice = NOTICES.get(c.req.query('notice') ?? '');
        return page(
          c,
          'Webhook endpoint',
          <>
            {ping && ping.endpointId === endpoint.id ? <PingResult ping={ping} /> : null}
            {notice ? (
              <p class="notice" role="status">
                {notice}
              </p>
            ) : null}
            <EndpointFacts endpoint={endpoint} />
            <div class="actions">
              <ActionButton id={endpoint.id} action="ping" label="Send test ping" csrf={c.var.session.csrfToken} />
              {endpoint.status === 'disabled' ? (
                <ActionButton id={endpoint.id} action="enable" label="Re-enable" csrf={c.var.session.csrfToken} />
              ) : null}
              <ActionButton
                id={endpoint.id}
                action="rotate-secret"
                label="Rotate secret"
                csrf={c.var.session.csrfToken}
              />
              <ActionButton id={endpoint.id} action="delete" label="Delete" csrf={c.var.session.csrfToken} danger />
            </div>
            <h2>Delivery log</h2>
            <DeliveryTable deliveries={await listDeliveries(db, tenantId, { endpointId: endpoint.id })} />
          </>,
        );
      }),
    )
    .post(
      '/console/webhooks/:id/ping',
      onEndpoint(async (c, endpoint) => {
        const ping = await pinger.ping(c.var.session.tenantId, endpoint.id);
        return c.redirect(`/console/webhooks/${endpoint.id}?ping=${ping.id}`, 303);
      }),
    )
    .post(
      '/console/webhooks/:id/enable',
      onEndpoint(async (c, endpoint) => {
        const audit = consoleAudit(deps, c.var.session);
        await updateEndpoint(db, c.var.session.tenantId, endpoint.id, { status: 'enabled' }, clock.now(), audit);
        return c.redirect(`/console/webhooks/${endpoint.id}?notice=enabled`, 303);
      }),
    )
    .post(
      '/console/webhooks/:id/rotate-secret',
      onEndpoint(async (c, endpoint) =>
        secretPage(
          c,
          'Signing secret rotated',
          await rotateEndpointSecret(
            db,
            c.var.session.tenantId,
            endpoint.id,
            clock.now(),
            consoleAudit(deps, c.var.session),
          ),
        ),
      ),
    )
    .post(
      '/console/webhooks/:id/delete',
      onEndpoint(async (c, endpoint) => {
        await deleteEndpoint(db, c.var.session.tenantId, endpoint.id, consoleAudit(deps, c.var.session));
        return c.redirect('/console/webhooks?notice=deleted', 303);
      }),
    );
}

function ActionButton(props: { id: string; action: string; label: string; csrf: string; danger?: boolean }) {
  return (
    <form class="inline" method="post" action={`/console/webhooks/${props.id}/${props.action}`}>
      <Csrf token={props.csrf} />
      <button type="submit" class={props.danger ? 'danger' : 'secondary'}>
        {props.label}
      </button>
    </form>
  );
}

function PingResult(props: { ping: Delivery }) {
  const last = props.ping.log[props.ping.log.length - 1];
  const code = last?.responseCode ? `, response ${last.responseCode}` : '';
  const why =
    props.ping.state === 'sent' ? '' : ` — ${last?.error ?? last?.response ?? props.ping.lastError ?? 'no answer'}`;
  return (
    <p class={props.ping.state === 'sent' ? 'notice' : 'alert'} role="status">
      Test ping: {props.ping.state}
      {code}
      {why}
    </p>
  );
}
