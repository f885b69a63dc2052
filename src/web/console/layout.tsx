/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { KeyRights } from '#common/rights';
import { maySee } from './section-scopes';

const css = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
a{color:#4338ca}a:hover{color:#312e81}
.shell{display:grid;grid-template-columns:13rem 1fr;min-height:100vh}
nav.side{background:#111827;color:#e5e7eb;padding:1rem .75rem}
nav.side .brand{font-weight:700;font-size:1.1rem;margin:0 .5rem 1rem;color:#fff}
nav.side .tenant{font-size:.8rem;color:#9ca3af;margin:0 .5rem 1rem}
nav.side a{display:block;color:#d1d5db;text-decoration:none;padding:.4rem .6rem;border-radius:.4rem}
nav.side a[aria-current=page],nav.side a:hover{background:#1f2937;color:#fff}
nav.side form{margin-top:1.5rem}
main{padding:1.5rem;min-width:0}
h1{font-size:1.4rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .75rem}
.card{background:#fff;border-radius:.6rem;box-shadow:0 1px 2px rgba(0,0,0,.06);padding:1rem 1.25rem;margin-bottom:1rem}
table{width:100%;border-collapse:collapse;background:#fff;border-radius:.6rem;overflow:hidden;box-shadow:0 1px 2px rgba(0,0,0,.06)}
th,td{text-align:left;padding:.55rem .75rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;color:#4b5563;background:#f9fafb}
.table-wrap{overflow-x:auto}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:999px;font-size:.8rem;font-weight:600;background:#e5e7eb}
.badge.pending,.badge.queued{background:#fef3c7;color:#92400e}.badge.retrying{background:#ffedd5;color:#9a3412}.badge.accepted,.badge.approved,.badge.sent,.badge.enabled{background:#d1fae5;color:#065f46}
.badge.declined,.badge.revoked,.badge.failed,.badge.disabled{background:#fee2e2;color:#991b1b}.badge.expired,.badge.exhausted,.badge.skipped{background:#e5e7eb;color:#374151}
form.inline{display:inline}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:1rem}
label{display:block;font-size:.85rem;font-weight:600;margin:.6rem 0 .2rem}
.filters label{margin:0 0 .2rem}
input,select,textarea{font:inherit;padding:.45rem .55rem;border:1px solid #6b7280;border-radius:.4rem;background:#fff;max-width:100%}
input[type=text],input[type=email],input[type=url],input[type=password],input[type=number],textarea,select.wide{width:100%}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem}
button,.button{font:inherit;display:inline-block;padding:.45rem .9rem;border-radius:.4rem;border:1px solid transparent;background:#4f46e5;color:#fff;cursor:pointer;text-decoration:none}
button.secondary,.button.secondary{background:#fff;color:#111827;border-color:#d1d5db}
button.danger{background:#dc2626}
button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,.table-wrap:focus-visible{outline:3px solid #93c5fd;outline-offset:2px}
.error{color:#b91c1c;font-size:.85rem;margin:.2rem 0 0}
.alert{background:#fee2e2;color:#991b1b;padding:.6rem .8rem;border-radius:.4rem;margin-bottom:1rem}
.notice{background:#ecfdf5;color:#065f46;padding:.6rem .8rem;border-radius:.4rem;margin-bottom:1rem}
dl.facts{display:grid;grid-template-columns:10rem 1fr;gap:.3rem 1rem;margin:0}dl.facts dt{color:#4b5563}dl.facts dd{margin:0;overflow-wrap:anywhere}
.muted{color:#4b5563}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem;overflow-wrap:anywhere}
.qr svg{width:12rem;height:12rem}
.actions{display:flex;gap:.5rem;flex-wrap:wrap;margin:.5rem 0}
@media (max-width:760px){.shell{grid-template-columns:1fr;grid-template-rows:auto 1fr}nav.side{display:flex;flex-wrap:wrap;align-items:center;gap:.15rem;padding:.5rem}nav.side a{padding:.25rem .5rem}nav.side .brand,nav.side .tenant{display:none}nav.side form{margin:0}.grid2{grid-template-columns:1fr}dl.facts{grid-template-columns:1fr}main{padding:1rem}}
`;

const NAV = [
  ['invitations', 'Invitations'],
  ['funnel', 'Funnel'],
  ['join-requests', 'Join requests'],
  ['contacts', 'Contacts'],
  ['identities', 'Identities'],
  ['webhooks', 'Webhooks'],
  ['keys', 'API keys'],
  ['settings', 'Settings'],
  ['mailbox', 'Mailbox'],
  ['audit', 'Audit'],
] as const;

export type ConsoleSection = (typeof NAV)[number][0];

/** A bare page (sign-in): no navigation. */
export function BarePage(props: { title: string; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{props.title} · Usher</title>
          <style>{raw(css)}</style>
        </head>
        <body>
          <main style="max-width:26rem;margin:4rem auto">{props.children}</main>
        </body>
      </html>
    </>
  );
}

/** The console frame: navigation (the sections the session's key may see), the tenant's name, sign-out (a POST with the CSRF token). */
export function ConsolePage(props: {
  title: string;
  section: ConsoleSection;
  tenantName: string;
  csrf: string;
  rights: KeyRights;
  children: Child;
}) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex" />
          <title>{props.title} · Usher console</title>
          <style>{raw(css)}</style>
        </head>
        <body>
          <div class="shell">
            <nav class="side" aria-label="Console">
              <div class="brand">Usher</div>
              <div class="tenant">{props.tenantName}</div>
              {NAV.filter(([key]) => maySee(props.rights, key)).map(([key, label]) => (
                <a href={`/console/${key}`} aria-current={props.section === key ? 'page' : undefined}>
                  {label}
                </a>
              ))}
              <form method="post" action="/console/logout">
                <input type="hidden" name="_csrf" value={props.csrf} />
                <button class="secondary" type="submit">
                  Sign out
                </button>
              </form>
            </nav>
            <main>
              <h1>{props.title}</h1>
              {props.children}
            </main>
          </div>
        </body>
      </html>
    </>
  );
}

/** The hidden field every console form carries. */
export function Csrf(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A status word as a coloured badge. */
export function Badge(props: { value: string }) {
  return <span class={`badge ${props.value}`}>{props.value}</span>;
}

/**
 * A table's scroll box: on a phone, wide tables scroll sideways inside it. It takes the keyboard's
 * focus so that scrolling does not need a pointer (WCAG 2.1.1), and as a named region it says what
 * a screen reader has landed on.
 */
export function TableScroller(props: { label: string; children: Child }) {
  return (
    <div class="table-wrap" role="region" aria-label={props.label} tabindex={0}>
      {props.children}
    </div>
  );
}

/** A field's error message, tied to its input for screen readers. */
export function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? (
    <p class="error" id={`${props.id}-error`}>
      {props.message}
    </p>
  ) : null;
}

/** A console form: POST to `action`, the CSRF field, and the form-level error above the fields. */
export function ConsoleForm(props: { action: string; csrf: string; error?: string | undefined; children: Child }) {
  return (
    <form method="post" action={props.action} class="card" novalidate>
      <Csrf token={props.csrf} />
      {props.error ? (
        <p class="alert" role="alert">
          {props.error}
        </p>
      ) : null}
      {props.children}
    </form>
  );
}
