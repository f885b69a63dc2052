/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { getInviter, getTenant, SUPPORTED_LOCALES, type Tenant, updateTenant, updateTenantSchema } from '#tenants';
import { consoleAudit, type ConsoleDeps } from './deps';
import { optional, validateForm } from './forms';
import { Field } from './invitation-views';
import { ConsoleForm, ConsolePage, FieldError } from './layout';
import { formFields, type ConsoleEnv } from './middleware';

type C = Context<ConsoleEnv>;
const DAY = 86_400;
const HOUR = 3_600;
// The bounds only: they do not depend on the URL policy.
const settingsShape = updateTenantSchema({ allowHttp: false }).shape.settings.unwrap().shape;
const EXPIRY = settingsShape.defaultExpirySeconds.unwrap();
const REMINDER = settingsShape.reminderBeforeExpirySeconds.unwrap().unwrap();
/** Where each schema path is shown on the form. */
const FIELD_OF: Record<string, string> = {
  'settings.defaultExpirySeconds': 'defaultExpiryDays',
  'settings.locale': 'locale',
  'settings.branding.color': 'color',
  'settings.branding.logoUrl': 'logoUrl',
  'settings.redirectUrl': 'redirectUrl',
  'settings.reminderBeforeExpirySeconds': 'reminderHours',
  'settings.inviteQuotas.perKey.perHour': 'keyPerHour',
  'settings.inviteQuotas.perKey.perDay': 'keyPerDay',
  'settings.inviteQuotas.perInviter.perHour': 'inviterPerHour',
  'settings.inviteQuotas.perInviter.perDay': 'inviterPerDay',
};

/** The quota fields: each window of the default per-key and per-inviter quotas, empty for no limit. */
const QUOTA_FIELDS = [
  ['keyPerHour', 'perKey', 'perHour', 'Invitations per API key per hour'],
  ['keyPerDay', 'perKey', 'perDay', 'Invitations per API key per day'],
  ['inviterPerHour', 'perInviter', 'perHour', 'Invitations per inviting user per hour'],
  ['inviterPerDay', 'perInviter', 'perDay', 'Invitations per inviting user per day'],
] as const;

/** A span of seconds as people say it, in the largest whole unit. */
function duration(seconds: number): string {
  const [unit, size] =
    seconds % DAY === 0
      ? ['day', DAY]
      : seconds % HOUR === 0
        ? ['hour', HOUR]
        : seconds % 60 === 0
          ? ['minute', 60]
          : ['second', 1];
  const n = seconds / size;
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * The form as it shows the tenant's current settings. Renaming the tenant also renames the identity
 * invitations are sent from while that identity still carries the tenant's name (as a first start names it).
 */
function valuesOf(tenant: Tenant, identityName: string): Record<string, string> {
  const s = tenant.settings;
  return {
    name: tenant.name,
    ...(identityName === tenant.name ? { renameDefaultIdentity: 'on' } : {}),
    defaultExpiryDays: String(s.defaultExpirySeconds / DAY),
    locale: s.locale,
    color: s.branding.color,
    logoUrl: s.branding.logoUrl ?? '',
    redirectUrl: s.redirectUrl ?? '',
    reminderHours: s.reminderBeforeExpirySeconds === null ? '' : String(s.reminderBeforeExpirySeconds / HOUR),
    emailTemplates: Object.keys(s.emailTemplates).length ? JSON.stringify(s.emailTemplates, null, 2) : '',
    ...Object.fromEntries(
      QUOTA_FIELDS.map(([field, subject, window]) => [field, String(s.inviteQuotas[subject][window] ?? '')]),
    ),
  };
}

/** The form as the API's PATCH body, plus the errors of fields that could not even be converted. */
function patchFromForm(f: Record<string, string>): { patch: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const number = (field: string, unit: number, example: string) => {
    const n = Number((f[field] ?? '').trim().replace(',', '.'));
    if ((f[field] ?? '').trim() === '' || !Number.isFinite(n)) errors[field] = `Enter a number, e.g. ${example}.`;
    return Math.round(n * unit);
  };
  const expiry = number('defaultExpiryDays', DAY, '7');
  const reminder = optional(f.reminderHours) === undefined ? null : number('reminderHours', HOUR, '24');
  // Empty: no limit in that window. Named users' own quotas (inviters) are left as they are: the API sets them.
  const quotaWindow = (field: string): number | null => {
    const text = (f[field] ?? '').trim();
    if (text === '') return null;
    if (!/^\d+$/.test(text)) errors[field] = 'Enter a whole number, or leave empty for no limit.';
    return Number(text);
  };
  const windows = Object.fromEntries(QUOTA_FIELDS.map(([field]) => [field, quotaWindow(field)]));
  const inviteQuotas = {
    perKey: { perHour: windows.keyPerHour, perDay: windows.keyPerDay },
    perInviter: { perHour: windows.inviterPerHour, perDay: windows.inviterPerDay },
  };
  let emailTemplates: unknown = {};
  try {
    if (optional(f.emailTemplates)) emailTemplates = JSON.parse(f.emailTemplates!);
  } catch (error) {
    errors.emailTemplates = `This is not valid JSON: ${(error as Error).message}`;
  }
  const settings = {
    ...(errors.defaultExpiryDays ? {} : { defaultExpirySeconds: expiry }),
    locale: f.locale ?? '',
    branding: { color: f.color ?? '', logoUrl: optional(f.logoUrl) ?? null },
    redirectUrl: optional(f.redirectUrl) ?? null,
    ...(errors.reminderHours ? {} : { reminderBeforeExpirySeconds: reminder }),
    ...(errors.emailTemplates ? {} : { emailTemplates }),
    ...(QUOTA_FIELDS.some(([field]) => errors[field]) ? {} : { inviteQuotas }),
  };
  return {
    patch: {
      name: f.name ?? '',
      settings,
      ...(f.renameDefaultIdentity === 'on' ? { renameDefaultIdentity: true } : {}),
    },
    errors,
  };
}

/** Schema messages moved onto the form's fields; durations are stated in the form's units, template problems with their place. */
function formErrors(errors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const templates: string[] = [];
  for (const [path, message] of Object.entries(errors)) {
    if (path.startsWith('settings.emailTemplates'))
      templates.push(
        path === 'settings.emailTemplates'
          ? `The overrides must be a JSON object keyed by locale: ${message}`
          : `at ${path.slice('settings.emailTemplates.'.length)}: ${message}`,
      );
    else if (path === 'settings.defaultExpirySeconds')
      out.defaultExpiryDays = `Must be between ${duration(EXPIRY.minValue!)} and ${duration(EXPIRY.maxValue!)}.`;
    else if (path === 'settings.reminderBeforeExpirySeconds')
      out.reminderHours = `Must be between ${duration(REMINDER.minValue!)} and ${duration(REMINDER.maxValue!)}, or empty for no reminder.`;
    else out[FIELD_OF[path] ?? path] = message;
  }
  if (templates.length) out.emailTemplates = templates.join('; ');
  return out;
}

function SettingsForm(props: {
  csrf: string;
  values: Record<string, string>;
  errors: Record<string, string>;
  locales: readonly string[];
  identityName: string;
}) {
  const { values: v, errors: e } = props;
  const described = (id: string) => (e[id] ? { 'aria-invalid': 'true', 'aria-describedby': `f-${id}-error` } : {});
  return (
    <ConsoleForm action="/console/settings" csrf={props.csrf} error={e._form}>
      <div class="grid2">
        <div>
          <Field name="name" label="Tenant name" value={v.name} errors={e} required />
          <input
            type="checkbox"
            id="f-renameDefaultIdentity"
            name="renameDefaultIdentity"
            checked={v.renameDefaultIdentity === 'on'}
          />{' '}
          <label for="f-renameDefaultIdentity" style="display:inline;font-weight:400">
            Also rename the identity invitations are sent from (now “{props.identityName}”)
          </label>
        </div>
        <Field
          name="defaultExpiryDays"
          label="Default expiry (days)"
          type="number"
          value={v.defaultExpiryDays}
          errors={e}
          hint="How long an invitation stays valid when it names no end."
        />
        <div>
          <label for="f-locale">Locale</label>
          <select id="f-locale" name="locale" class="wide" {...described('locale')}>
            {props.locales.map((l) => (
              <option value={l} selected={v.locale === l}>
                {l}
              </option>
            ))}
          </select>
          <FieldError id="f-locale" message={e.locale} />
        </div>
        <div>
          <label for="f-color">Brand colour</label>
          <input id="f-color" name="color" type="color" value={v.color} {...described('color')} />
          <FieldError id="f-color" message={e.color} />
        </div>
        <Field
          name="logoUrl"
          label="Logo URL"
          type="url"
          value={v.logoUrl}
          errors={e}
          hint="Shown in emails and on the accept page. Empty: the tenant's name."
        />
        <Field
          name="redirectUrl"
          label="Redirect URL"
          type="url"
          value={v.redirectUrl}
          errors={e}
          hint="Where accepting ends: the signed token is POSTed there as a form. Empty: a confirmation page."
        />
        <Field
          name="reminderHours"
          label="Reminder before expiry (hours)"
          type="number"
          value={v.reminderHours}
          errors={e}
          hint="Empty: no reminder."
        />
      </div>
      <fieldset style="border:0;padding:0;margin:.8rem 0 0">
        <legend style="font-size:1rem;font-weight:600">Invitation quotas</legend>
        <p class="muted" style="margin:.2rem 0 .4rem;font-size:.8rem">
          Defaults for each API key without a quota of its own and for each inviting user (invitedBy.id). Empty: no
          limit.
        </p>
        <div class="grid2">
          {QUOTA_FIELDS.map(([field, , , label]) => (
            <Field name={field} label={label} type="number" value={v[field] ?? ''} errors={e} />
          ))}
        </div>
      </fieldset>
      <label for="f-emailTemplates">Email template overrides (JSON)</label>
      <textarea id="f-emailTemplates" name="emailTemplates" rows={10} class="mono" {...described('emailTemplates')}>
        {v.emailTemplates ?? ''}
      </textarea>
      <p class="muted" style="margin:.2rem 0 0;font-size:.8rem">
        By locale and kind, e.g. {'{"fr": {"invitation": {"subject": "{{inviterName}} vous invite"}}}'}. Parts left out
        stay built-in. Empty: none.
      </p>
      <FieldError id="f-emailTemplates" message={e.emailTemplates} />
      <p>
        <button type="submit">Save settings</button>
      </p>
    </ConsoleForm>
  );
}

/** The settings page: name, expiry, locale, branding, redirect, reminder and email overrides, judged by the API's own schema. */
export function createSettingsPages(deps: ConsoleDeps) {
  const { db, clock } = deps;
  const schema = updateTenantSchema({ allowHttp: deps.allowPrivateNetwork });
  const page = async (c: C, tenant: Tenant, body: Child, status: ContentfulStatusCode = 200) =>
    c.html(
      <ConsolePage
        title="Settings"
        section="settings"
        tenantName={tenant.name}
        csrf={c.var.session.csrfToken}
        rights={c.var.session.rights}
      >
        {body}
      </ConsolePage>,
      status,
    );
  // A locale set through the API may be one the list lacks; keep it selectable so saving does not change it.
  const localesFor = (tenant: Tenant) =>
    SUPPORTED_LOCALES.includes(tenant.settings.locale)
      ? SUPPORTED_LOCALES
      : [...SUPPORTED_LOCALES, tenant.settings.locale];

  return new Hono<ConsoleEnv>()
    .get('/console/settings', async (c) => {
      const tenant = await getTenant(db, c.var.session.tenantId);
      const { identity } = await getInviter(db, tenant.id, undefined);
      return page(
        c,
        tenant,
        <>
          {c.req.query('notice') === 'saved' ? (
            <p class="notice" role="status">
              Settings saved.
            </p>
          ) : null}
          <SettingsForm
            csrf={c.var.session.csrfToken}
            values={valuesOf(tenant, identity.displayName)}
            errors={{}}
            locales={localesFor(tenant)}
            identityName={identity.displayName}
          />
        </>,
      );
    })
    .post('/console/settings', async (c) => {
      const tenant = await getTenant(db, c.var.session.tenantId);
      const { identity } = await getInviter(db, tenant.id, undefined);
      const fields = await formFields(c);
      const { patch, errors } = patchFromForm(fields);
      const parsed = validateForm(schema, patch);
      if (!parsed.ok || Object.keys(errors).length) {
        const all = { ...(parsed.ok ? {} : formErrors(parsed.errors)), ...errors };
        const form = (
          <SettingsForm
            csrf={c.var.session.csrfToken}
            values={fields}
            errors={all}
            locales={localesFor(tenant)}
            identityName={identity.displayName}
          />
        );
        return page(c, tenant, form, 400);
      }
      await updateTenant(db, tenant.id, parsed.data, clock.now(), consoleAudit(deps, c.var.session));
      return c.redirect('/console/settings?notice=saved', 303);
    });
}
