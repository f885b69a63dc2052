/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '#common/errors';
import { createIdentity, CreateIdentitySchema, type Identity, listIdentities, updateIdentity } from '#tenants';
import { consoleAudit, type ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { optional, refusalErrors, validateForm } from './forms';
import { Field } from './invitation-views';
import { Badge, ConsoleForm, Csrf, TableScroller } from './layout';
import { formFields, type ConsoleEnv } from './middleware';

type C = Context<ConsoleEnv>;
const NOTICES = new Map([
  ['created', 'Identity created, with a fresh did:key.'],
  ['active', 'Identity enabled: it can send invitations again.'],
  ['disabled', 'Identity disabled: it cannot send invitations until enabled.'],
]);

function IdentityTable(props: { rows: readonly Identity[]; csrf: string }) {
  return (
    <TableScroller label="Identities">
      <table>
        <thead>
          <tr>
            <th>Handle</th>
            <th>Display name</th>
            <th>DID</th>
            <th>Status</th>
            <th>
              <span class="muted">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((identity) => (
            <tr>
              <td class="mono">{identity.handle}</td>
              <td>
                {identity.displayName}
                {identity.isDefault ? <span class="muted"> (default)</span> : null}
              </td>
              <td class="mono">{identity.did}</td>
              <td>
                <Badge value={identity.status} />
              </td>
              <td>
                <form
                  class="inline"
                  method="post"
                  action={`/console/identities/${identity.id}/${identity.status === 'active' ? 'disable' : 'enable'}`}
                >
                  <Csrf token={props.csrf} />
                  <button
                    type="submit"
                    class="secondary"
                    aria-label={`${identity.status === 'active' ? 'Disable' : 'Enable'} ${identity.handle}`}
                  >
                    {identity.status === 'active' ? 'Disable' : 'Enable'}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}

function IdentityForm(props: { csrf: string; values: Record<string, string>; errors: Record<string, string> }) {
  const { values: v, errors: e } = props;
  return (
    <ConsoleForm action="/console/identities" csrf={props.csrf} error={e._form}>
      <div class="grid2">
        <Field name="displayName" label="Display name" value={v.displayName} errors={e} required />
        <Field
          name="handle"
          label="Handle"
          value={v.handle}
          errors={e}
          hint="Optional; unique on this server, it becomes the ActivityPub name. Empty: made from the display name."
        />
      </div>
      <p>
        <button type="submit">Create identity</button>
      </p>
    </ConsoleForm>
  );
}

/** Identity pages: the list with status and default marker, create, enable and disable. */
export function createIdentityPages(deps: ConsoleDeps) {
  const { db, clock } = deps;
  const page = pageRenderer(db, 'identities');
  const list = async (c: C, message?: { notice?: string; alert?: string }, status: ContentfulStatusCode = 200) =>
    page(
      c,
      'Identities',
      <>
        {message?.notice ? (
          <p class="notice" role="status">
            {message.notice}
          </p>
        ) : null}
        {message?.alert ? (
          <p class="alert" role="alert">
            {message.alert}
          </p>
        ) : null}
        <p class="muted">
          Identities are who invitations come from. A disabled identity cannot send invitations; the default one always
          can.
        </p>
        <p class="actions">
          <a class="button" href="/console/identities/new">
            New identity
          </a>
        </p>
        <IdentityTable rows={await listIdentities(db, c.var.session.tenantId)} csrf={c.var.session.csrfToken} />
      </>,
      status,
    );
  const setStatus = (status: 'active' | 'disabled') => async (c: C) => {
    try {
      const { tenantId } = c.var.session;
      await updateIdentity(
        db,
        tenantId,
        c.req.param('id')!,
        { status },
        clock.now(),
        consoleAudit(deps, c.var.session),
      );
    } catch (error) {
      const message = Object.values(refusalErrors(error))[0];
      const code = (error as AppError).status;
      return code === 404
        ? page(
            c,
            'Not found',
            <p class="alert" role="alert">
              {message}
            </p>,
            404,
          )
        : list(c, { alert: message }, code as ContentfulStatusCode);
    }
    return c.redirect(`/console/identities?notice=${status}`, 303);
  };

  return new Hono<ConsoleEnv>()
    .get('/console/identities', (c) => list(c, { notice: NOTICES.get(c.req.query('notice') ?? '') }))
    .get('/console/identities/new', (c) =>
      page(c, 'New identity', <IdentityForm csrf={c.var.session.csrfToken} values={{}} errors={{}} />),
    )
    .post('/console/identities', async (c) => {
      const fields = await formFields(c);
      const invalid = (errors: Record<string, string>, status: ContentfulStatusCode) =>
        page(
          c,
          'New identity',
          <IdentityForm csrf={c.var.session.csrfToken} values={fields} errors={errors} />,
          status,
        );
      const handle = optional(fields.handle);
      const parsed = validateForm(CreateIdentitySchema, {
        displayName: fields.displayName ?? '',
        ...(handle ? { handle } : {}),
      });
      if (!parsed.ok) return invalid(parsed.errors, 400);
      try {
        const input = { tenantId: c.var.session.tenantId, ...parsed.data };
        await createIdentity(db, input, clock.now(), consoleAudit(deps, c.var.session));
      } catch (error) {
        return invalid(refusalErrors(error), error instanceof AppError ? (error.status as ContentfulStatusCode) : 400);
      }
      return c.redirect('/console/identities?notice=created', 303);
    })
    .post('/console/identities/:id/disable', setStatus('disabled'))
    .post('/console/identities/:id/enable', setStatus('active'));
}
