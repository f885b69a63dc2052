/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError } from '#common/errors';
import { type ApiKey, createApiKey, CreateApiKeySchema, getTenant, listApiKeys, revokeApiKey } from '#tenants';
import type { ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { refusalErrors, validateForm } from './forms';
import { Field } from './invitation-views';
import { Badge, ConsoleForm, ConsolePage, Csrf, TableScroller } from './layout';
import { formFields, type ConsoleEnv } from './middleware';

type C = Context<ConsoleEnv>;
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—');

function KeyTable(props: { rows: readonly ApiKey[]; current: string; csrf: string }) {
  return (
    <TableScroller label="API keys">
      <table>
        <thead>
          <tr><th>Name</th><th>Prefix</th><th>Created</th><th>Last used</th><th>Revoked</th><th><span class="muted">Actions</span></th></tr>
        </thead>
        <tbody>
          {props.rows.map((key) => (
            <tr>
              <td>
                {key.name}
                {key.id === props.current ? <span class="muted"> (this session)</span> : null}
                {key.operator ? <span class="muted"> (operator)</span> : null}
              </td>
              <td class="mono">{key.prefix}…</td>
              <td>{when(key.createdAt)}</td>
              <td>{when(key.lastUsedAt)}</td>
              <td>{key.revokedAt ? <><Badge value="revoked" /> {when(key.revokedAt)}</> : <span class="muted">no</span>}</td>
              <td>
                {key.revokedAt ? null : (
                  <form class="inline" method="post" action={`/console/keys/${key.id}/revoke`}>
                    <Csrf token={props.csrf} />
                    <button type="submit" class="danger" aria-label={`Revoke ${key.name} (${key.prefix})`}>Revoke</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

function KeyForm(props: { csrf: string; name: string; errors: Record<string, string> }) {
  return (
    <ConsoleForm action="/console/keys" csrf={props.csrf} error={props.errors._form}>
      <Field name="name" label="Name" value={props.name} errors={props.errors} required hint="What uses the key, e.g. 'CRM sync'." />
      <p><button type="submit">Create key</button></p>
    </ConsoleForm>
  );
}

/** API key pages: the list (never the secrets), create (the key shown once), revoke. */
export function createKeyPages(deps: ConsoleDeps) {
  const { db, clock } = deps;
  const page = pageRenderer(db, 'keys');
  const list = async (c: C, message: { notice?: string | undefined; alert?: string } = {}, status: ContentfulStatusCode = 200) =>
    page(
      c,
      'API keys',
      <>
        {message.notice ? <p class="notice" role="status">{message.notice}</p> : null}
        {message.alert ? <p class="alert" role="alert">{message.alert}</p> : null}
        <p class="muted">Only a hash of each key is stored. Revoking a key also ends the console sessions signed in with it.</p>
        <p class="actions"><a class="button" href="/console/keys/new">New API key</a></p>
        <KeyTable rows={await listApiKeys(db, c.var.session.tenantId)} current={c.var.session.apiKeyId} csrf={c.var.session.csrfToken} />
      </>,
      status,
    );

  return new Hono<ConsoleEnv>()
    .get('/console/keys', (c) => list(c, { notice: c.req.query('notice') === 'revoked' ? 'Key revoked.' : undefined }))
    .get('/console/keys/new', (c) => page(c, 'New API key', <KeyForm csrf={c.var.session.csrfToken} name="" errors={{}} />))
    .post('/console/keys', async (c) => {
      const fields = await formFields(c);
      const parsed = validateForm(CreateApiKeySchema, { name: fields.name ?? '' });
      if (!parsed.ok) return page(c, 'New API key', <KeyForm csrf={c.var.session.csrfToken} name={fields.name ?? ''} errors={parsed.errors} />, 400);
      const created = await createApiKey(db, { tenantId: c.var.session.tenantId, name: parsed.data.name }, clock.now());
      return page(
        c,
        'API key created',
        <div class="card">
          <p class="alert" role="alert">Copy this key now: it is shown only this once, and only its hash is stored.</p>
          <p class="mono" id="api-key">{created.key}</p>
          <p><a href="/console/keys">Back to the keys</a></p>
        </div>,
      );
    })
    .post('/console/keys/:id/revoke', async (c) => {
      const { tenantId, apiKeyId, operator, rights } = c.var.session;
      try {
        await revokeApiKey(db, { tenantId, apiKeyId, operator, rights }, c.req.param('id'), clock.now());
      } catch (error) {
        const message = Object.values(refusalErrors(error))[0];
        const status = (error as AppError).status;
        return status === 404 ? page(c, 'Not found', <p class="alert" role="alert">{message}</p>, 404) : list(c, { alert: message }, status as ContentfulStatusCode);
      }
      return c.redirect('/console/keys?notice=revoked', 303);
    });
}
