/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError } from '#common/errors';
import { unrestrictedScopes, type KeyRights, type Scope } from '#common/rights';
import { type ApiKey, createApiKey, CreateApiKeySchema, listApiKeys, revokeApiKey, setKeyInviteQuota } from '#tenants';
import { consoleAudit, type ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { refusalErrors, validateForm } from './forms';
import { Field } from './invitation-views';
import { Badge, ConsoleForm, Csrf, FieldError, TableScroller } from './layout';
import { formFields, type ConsoleEnv } from './middleware';

type C = Context<ConsoleEnv>;
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—');

/** A key with every scope reads "all" (an operator's adds tenants:manage): the list stays narrow. */
const scopesText = (scopes: readonly Scope[]) =>
  unrestrictedScopes(false).every((scope) => scopes.includes(scope))
    ? scopes.includes('tenants:manage')
      ? 'all, tenants:manage'
      : 'all'
    : scopes.join(', ');

/** A key's own quota ("10/hour, 50/day"); the tenant's default when it has none. */
const quotaText = (key: ApiKey) =>
  key.inviteQuota
    ? `${key.inviteQuota.perHour ?? 'no limit'}/hour, ${key.inviteQuota.perDay ?? 'no limit'}/day`
    : "tenant's default";

/** A key's quota form: each window empty for no limit; both empty returns the key to the tenant's default. */
function QuotaForm(props: {
  csrf: string;
  id: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}) {
  return (
    <ConsoleForm action={`/console/keys/${props.id}/quota`} csrf={props.csrf} error={props.errors._form}>
      <p class="muted">Both empty: the tenant's default quota (Settings). One empty: no limit in that window.</p>
      {(['perHour', 'perDay'] as const).map((name) => (
        <Field
          name={name}
          label={name === 'perHour' ? 'Invitations per hour' : 'Invitations per day'}
          type="number"
          value={props.values[name]}
          errors={props.errors}
        />
      ))}
      <p>
        <button type="submit">Save quota</button>
      </p>
    </ConsoleForm>
  );
}

function KeyTable(props: { rows: readonly ApiKey[]; current: string; csrf: string }) {
  return (
    <TableScroller label="API keys">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            <th>Scopes</th>
            <th>Roles it grants</th>
            <th>Targets</th>
            <th>Invitation quota</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Revoked</th>
            <th>
              <span class="muted">Actions</span>
            </th>
          </tr>
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
              <td>{scopesText(key.scopes)}</td>
              <td>
                {key.grantableRoles.includes('*') ? <span class="muted">any</span> : key.grantableRoles.join(', ')}
              </td>
              <td>{key.allowedTargets ? key.allowedTargets.join(', ') : <span class="muted">any</span>}</td>
              <td>
                {quotaText(key)}
                {key.revokedAt || key.id === props.current ? null : (
                  <>
                    {' '}
                    <a href={`/console/keys/${key.id}/quota`} aria-label={`Change the quota of ${key.name}`}>
                      Change
                    </a>
                  </>
                )}
              </td>
              <td>{when(key.createdAt)}</td>
              <td>{when(key.lastUsedAt)}</td>
              <td>
                {key.revokedAt ? (
                  <>
                    <Badge value="revoked" /> {when(key.revokedAt)}
                  </>
                ) : (
                  <span class="muted">no</span>
                )}
              </td>
              <td>
                {key.revokedAt ? null : (
                  <form class="inline" method="post" action={`/console/keys/${key.id}/revoke`}>
                    <Csrf token={props.csrf} />
                    <button type="submit" class="danger" aria-label={`Revoke ${key.name} (${key.prefix})`}>
                      Revoke
                    </button>
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

/** What the form holds: the name, the scopes ticked, roles comma-separated, targets one per line. */
interface KeyFormValues {
  readonly name: string;
  readonly scopes: readonly string[];
  readonly roles: string;
  readonly targets: string;
}

/** The form starts from the session key's own rights: a new key can have those or fewer. */
const valuesOf = (rights: KeyRights): KeyFormValues => ({
  name: '',
  scopes: rights.scopes.filter((scope) => scope !== 'tenants:manage'),
  roles: rights.grantableRoles.join(', '),
  targets: (rights.allowedTargets ?? []).join('\n'),
});

function KeyForm(props: { csrf: string; rights: KeyRights; values: KeyFormValues; errors: Record<string, string> }) {
  const e = props.errors;
  return (
    <ConsoleForm action="/console/keys" csrf={props.csrf} error={e._form}>
      <Field
        name="name"
        label="Name"
        value={props.values.name}
        errors={e}
        required
        hint="What uses the key, e.g. 'CRM sync'."
      />
      <fieldset aria-describedby={e.scopes ? 'f-scopes-error' : undefined} style="border:0;padding:0;margin:.6rem 0 0">
        <legend style="font-size:.85rem;font-weight:600">
          Scopes (at most this session's own; none ticked: all of them)
        </legend>
        {props.rights.scopes.map((scope) => (
          <div>
            <input
              type="checkbox"
              id={`f-scopes-${scope}`}
              name="scopes"
              value={scope}
              checked={props.values.scopes.includes(scope)}
            />{' '}
            <label for={`f-scopes-${scope}`} style="display:inline;font-weight:400">
              {scope}
            </label>
          </div>
        ))}
        <FieldError id="f-scopes" message={e.scopes} />
      </fieldset>
      <Field
        name="grantableRoles"
        label="Roles its invitations may grant"
        value={props.values.roles}
        errors={e}
        hint="Comma-separated; * for any role."
      />
      <Field
        name="allowedTargets"
        label="Targets it may invite into"
        value={props.values.targets}
        errors={e}
        hint="IRI prefixes, comma-separated; empty for any target."
      />
      <p>
        <button type="submit">Create key</button>
      </p>
    </ConsoleForm>
  );
}

const listOf = (text: string): string[] =>
  text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);

const NOTICES: Record<string, string> = { revoked: 'Key revoked.', quota: 'Quota saved.' };

/** API key pages: the list (never the secrets), create (the key shown once), revoke. */
export function createKeyPages(deps: ConsoleDeps) {
  const { db, clock } = deps;
  const page = pageRenderer(db, 'keys');
  const list = async (
    c: C,
    message: { notice?: string | undefined; alert?: string } = {},
    status: ContentfulStatusCode = 200,
  ) =>
    page(
      c,
      'API keys',
      <>
        {message.notice ? (
          <p class="notice" role="status">
            {message.notice}
          </p>
        ) : null}
        {message.alert ? (
          <p class="alert" role="alert">
            {message.alert}
          </p>
        ) : null}
        <p class="muted">
          Only a hash of each key is stored. Revoking a key also ends the console sessions signed in with it.
        </p>
        <p class="actions">
          <a class="button" href="/console/keys/new">
            New API key
          </a>
        </p>
        <KeyTable
          rows={await listApiKeys(db, c.var.session.tenantId)}
          current={c.var.session.apiKeyId}
          csrf={c.var.session.csrfToken}
        />
      </>,
      status,
    );

  return new Hono<ConsoleEnv>()
    .get('/console/keys', (c) => list(c, { notice: NOTICES[c.req.query('notice') ?? ''] }))
    .get('/console/keys/new', (c) => {
      const { rights, csrfToken } = c.var.session;
      return page(c, 'New API key', <KeyForm csrf={csrfToken} rights={rights} values={valuesOf(rights)} errors={{}} />);
    })
    .post('/console/keys', async (c) => {
      const { rights, csrfToken, tenantId } = c.var.session;
      // Checkboxes repeat the `scopes` field, which formFields would cut to the last one.
      const body = await c.req.parseBody({ all: true });
      const text = (v: unknown) => (typeof v === 'string' ? v : '');
      const values = {
        name: text(body.name),
        scopes: [body.scopes ?? []].flat().filter((v): v is string => typeof v === 'string'),
        roles: text(body.grantableRoles),
        targets: text(body.allowedTargets),
      };
      const invalid = (errors: Record<string, string>, status: ContentfulStatusCode) =>
        page(c, 'New API key', <KeyForm csrf={csrfToken} rights={rights} values={values} errors={errors} />, status);
      const targets = listOf(values.targets);
      const roles = listOf(values.roles);
      // Nothing ticked or typed reads as the API's omitted member: the session key's own.
      const input = {
        name: values.name,
        ...(values.scopes.length > 0 ? { scopes: values.scopes } : {}),
        ...(roles.length > 0 ? { grantableRoles: roles } : {}),
        allowedTargets: targets.length > 0 ? targets : null,
      };
      const parsed = validateForm(CreateApiKeySchema, input);
      if (!parsed.ok)
        return invalid(Object.fromEntries(Object.entries(parsed.errors).map(([k, m]) => [k.split('.')[0]!, m])), 400);
      let created;
      try {
        const { name, ...asked } = parsed.data;
        const audit = consoleAudit(deps, c.var.session);
        const input = { tenantId, name, rights: asked, maker: rights, ...(audit ? { audit } : {}) };
        created = await createApiKey(db, input, clock.now());
      } catch (error) {
        return invalid(refusalErrors(error), (error as AppError).status as ContentfulStatusCode);
      }
      return page(
        c,
        'API key created',
        <div class="card">
          <p class="alert" role="alert">
            Copy this key now: it is shown only this once, and only its hash is stored.
          </p>
          <p class="mono" id="api-key">
            {created.key}
          </p>
          <p>
            <a href="/console/keys">Back to the keys</a>
          </p>
        </div>,
      );
    })
    .get('/console/keys/:id/quota', async (c) => {
      const key = (await listApiKeys(db, c.var.session.tenantId)).find((k) => k.id === c.req.param('id'));
      if (!key) return c.notFound();
      const values = { perHour: String(key.inviteQuota?.perHour ?? ''), perDay: String(key.inviteQuota?.perDay ?? '') };
      const form = <QuotaForm csrf={c.var.session.csrfToken} id={key.id} values={values} errors={{}} />;
      return page(c, `Invitation quota of ${key.name}`, form);
    })
    .post('/console/keys/:id/quota', async (c) => {
      const { tenantId, apiKeyId, operator, rights, csrfToken } = c.var.session;
      const id = c.req.param('id');
      const fields = await formFields(c);
      const errors: Record<string, string> = {};
      const window = (name: 'perHour' | 'perDay') => {
        const text = (fields[name] ?? '').trim();
        if (text === '') return null;
        if (!/^\d{1,7}$/.test(text) || Number(text) > 1_000_000) errors[name] = 'Enter a whole number up to 1000000.';
        return Number(text);
      };
      const quota = { perHour: window('perHour'), perDay: window('perDay') };
      const invalid = (errs: Record<string, string>, status: ContentfulStatusCode) =>
        page(c, 'Invitation quota', <QuotaForm csrf={csrfToken} id={id} values={fields} errors={errs} />, status);
      if (Object.keys(errors).length) return invalid(errors, 400);
      const inviteQuota = quota.perHour === null && quota.perDay === null ? null : quota;
      try {
        const auth = { tenantId, apiKeyId, operator, rights };
        await setKeyInviteQuota(db, auth, id, inviteQuota, consoleAudit(deps, c.var.session));
      } catch (error) {
        return invalid(refusalErrors(error), (error as AppError).status as ContentfulStatusCode);
      }
      return c.redirect('/console/keys?notice=quota', 303);
    })
    .post('/console/keys/:id/revoke', async (c) => {
      const { tenantId, apiKeyId, operator, rights } = c.var.session;
      try {
        const auth = { tenantId, apiKeyId, operator, rights };
        await revokeApiKey(db, auth, c.req.param('id'), clock.now(), consoleAudit(deps, c.var.session));
      } catch (error) {
        const message = Object.values(refusalErrors(error))[0];
        const status = (error as AppError).status;
        return status === 404
          ? page(
              c,
              'Not found',
              <p class="alert" role="alert">
                {message}
              </p>,
              404,
            )
          : list(c, { alert: message }, status as ContentfulStatusCode);
      }
      return c.redirect('/console/keys?notice=revoked', 303);
    });
}
