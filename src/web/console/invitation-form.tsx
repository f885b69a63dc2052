/** @jsxImportSource hono/jsx */
import { optional } from './forms';
import { Field } from './invitation-views';
import { ConsoleForm, FieldError } from './layout';

/** A day in milliseconds: the form's validity and the list's date filters count in days. */
export const DAY = 86_400_000;

/** Turns the create form into the API's input, so one schema judges both. */
export function inputFromForm(f: Record<string, string>, now: Date): Record<string, unknown> {
  const recipient = Object.fromEntries(
    [
      ['email', optional(f['recipient.email'])],
      ['name', optional(f['recipient.name'])],
    ].filter(([, v]) => v !== undefined),
  );
  const targetType = f['target.type'] ?? 'tenant';
  const days = optional(f.validDays);
  const uses = optional(f.usesAllowed);
  return {
    channel: f.channel ?? 'email',
    ...(Object.keys(recipient).length ? { recipient } : {}),
    target:
      targetType === 'tenant'
        ? { type: 'tenant' }
        : { type: targetType, iri: f['target.iri'] ?? '', name: f['target.name'] ?? '' },
    ...(optional(f.role) ? { role: optional(f.role) } : {}),
    rules: (f.rules ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    ...(optional(f.message) ? { message: f.message } : {}),
    ...(optional(f.label) ? { label: optional(f.label) } : {}),
    ...(optional(f.purpose) ? { purpose: optional(f.purpose) } : {}),
    ...(optional(f.locale) ? { locale: optional(f.locale) } : {}),
    ...(uses === undefined ? {} : { usesAllowed: uses === 'unlimited' ? null : Number(uses) }),
    ...(days === undefined
      ? {}
      : {
          expiresAt:
            Number.isFinite(Number(days)) && Number(days) > 0
              ? new Date(now.getTime() + Number(days) * DAY).toISOString()
              : 'invalid',
        }),
  };
}

export function NewInvitationForm(props: {
  csrf: string;
  channels: readonly string[];
  values: Record<string, string>;
  errors: Record<string, string>;
}) {
  const v = props.values;
  const e: Record<string, string> = {
    ...props.errors,
    validDays: props.errors.expiresAt ?? props.errors.validDays ?? '',
  };
  return (
    <ConsoleForm action="/console/invitations" csrf={props.csrf} error={props.errors._form}>
      <div class="grid2">
        <div>
          <label for="f-channel">Channel</label>
          <select id="f-channel" name="channel" class="wide">
            {props.channels.map((ch) => (
              <option value={ch} selected={(v.channel ?? 'email') === ch}>
                {ch}
              </option>
            ))}
          </select>
          <FieldError id="f-channel" message={e.channel} />
        </div>
        <Field
          name="recipient.email"
          label="Recipient email"
          type="email"
          value={v['recipient.email']}
          errors={e}
          hint="Required for email; optional for a shareable link."
        />
        <Field name="recipient.name" label="Recipient name" value={v['recipient.name']} errors={e} />
        <div>
          <label for="f-target-type">Into</label>
          <select id="f-target-type" name="target.type" class="wide">
            {['tenant', 'project', 'event', 'group'].map((t) => (
              <option value={t} selected={(v['target.type'] ?? 'tenant') === t}>
                {t === 'tenant' ? 'this tenant' : t}
              </option>
            ))}
          </select>
        </div>
        <Field
          name="target.iri"
          label="Target IRI"
          type="url"
          value={v['target.iri']}
          errors={e}
          hint="For a project, event or group: where it lives."
        />
        <Field name="target.name" label="Target name" value={v['target.name']} errors={e} />
        <Field name="role" label="Role" value={v.role} errors={e} hint="Empty: no permissions until granted." />
        <Field
          name="rules"
          label="Rules"
          value={v.rules}
          errors={e}
          hint="Comma-separated, e.g. Financeur, Directeur"
        />
        <Field
          name="validDays"
          label="Valid for (days)"
          type="number"
          value={v.validDays}
          errors={e}
          hint="Empty: the tenant's default."
        />
        <Field
          name="usesAllowed"
          label="Uses allowed"
          value={v.usesAllowed}
          errors={e}
          hint="1 by default; a number, or 'unlimited'."
        />
        <Field
          name="purpose"
          label="Purpose"
          value={v.purpose}
          errors={e}
          hint="Unique per tenant; find the invitation by it later."
        />
        <Field name="label" label="Label" value={v.label} errors={e} />
      </div>
      <label for="f-message">Message</label>
      <textarea id="f-message" name="message" rows={3} aria-describedby={e.message ? 'f-message-error' : undefined}>
        {v.message ?? ''}
      </textarea>
      <FieldError id="f-message" message={e.message} />
      <p>
        <button type="submit">Create invitation</button>
      </p>
    </ConsoleForm>
  );
}
