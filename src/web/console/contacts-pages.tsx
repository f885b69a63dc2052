/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { decodeCursor, type Cursor } from '#http/pagination';
import { unlinkContactFromInvitations } from '#invitations';
import { unlinkContactFromMemberships } from '#memberships';
import { type Contact, createContact, CreateContactSchema, deleteContact, listContacts } from '#tenants';
import type { ConsoleDeps } from './deps';
import { pageRenderer } from './render';
import { optional, refusalErrors, validateForm } from './forms';
import { Field } from './invitation-views';
import { ConsoleForm, Csrf, TableScroller } from './layout';
import { formFields, type ConsoleEnv } from './middleware';

type C = Context<ConsoleEnv>;
const PAGE_SIZE = 25;
// As the API's contact routes are given them in app.ts: a deleted contact's invitations and memberships lose the link.
const CONTACT_UNLINKS = [unlinkContactFromInvitations, unlinkContactFromMemberships];
const NOTICES = new Map([
  ['created', 'Contact saved.'],
  ['deleted', 'Contact deleted. Invitations that named it keep their own copy of the address.'],
]);
const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');

/** The create form's fields as the API's input: empty means absent, tags are comma-separated. */
function inputFromForm(f: Record<string, string>): Record<string, unknown> {
  const tags = (f.tags ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const fields = {
    name: optional(f.name),
    email: optional(f.email),
    did: optional(f.did),
    actorIri: optional(f.actorIri),
  };
  return {
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    ...(tags.length ? { tags } : {}),
  };
}

function ContactForm(props: { csrf: string; values: Record<string, string>; errors: Record<string, string> }) {
  const { values: v, errors: e } = props;
  return (
    <ConsoleForm action="/console/contacts" csrf={props.csrf} error={e._form}>
      <div class="grid2">
        <Field name="name" label="Name" value={v.name} errors={e} />
        <Field name="email" label="Email" type="email" value={v.email} errors={e} />
        <Field name="did" label="DID" value={v.did} errors={e} hint="e.g. did:key:z6Mk…" />
        <Field
          name="actorIri"
          label="ActivityPub actor IRI"
          type="url"
          value={v.actorIri}
          errors={e}
          hint="e.g. https://social.example/users/ana"
        />
        <Field name="tags" label="Tags" value={v.tags} errors={e} hint="Comma-separated, e.g. board, partner" />
      </div>
      <p>
        <button type="submit">Save contact</button>
      </p>
    </ConsoleForm>
  );
}

function ContactTable(props: { rows: readonly Contact[]; csrf: string }) {
  if (props.rows.length === 0) return <p class="card muted">No contact matches.</p>;
  return (
    <TableScroller label="Contacts">
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>DID / actor</th>
            <th>Tags</th>
            <th>Created</th>
            <th>
              <span class="muted">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((contact) => (
            <tr>
              <td>{contact.name ?? <span class="muted">—</span>}</td>
              <td>{contact.email ?? <span class="muted">—</span>}</td>
              <td>
                {contact.did ? <div class="mono">{contact.did}</div> : null}
                {contact.actorIri ? <div class="mono">{contact.actorIri}</div> : null}
              </td>
              <td>{contact.tags.join(', ')}</td>
              <td>{when(contact.createdAt)}</td>
              <td>
                <form class="inline" method="post" action={`/console/contacts/${contact.id}/delete`}>
                  <Csrf token={props.csrf} />
                  <button
                    type="submit"
                    class="danger"
                    aria-label={`Delete ${contact.name ?? contact.email ?? 'contact'}`}
                  >
                    Delete
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

/** Contact pages: the list filtered by email or tag with cursor pages, create, delete. */
export function createContactPages(deps: ConsoleDeps) {
  const { db, clock } = deps;
  const page = pageRenderer(db, 'contacts');
  const form = (
    c: C,
    values: Record<string, string>,
    errors: Record<string, string>,
    status: ContentfulStatusCode = 200,
  ) => page(c, 'New contact', <ContactForm csrf={c.var.session.csrfToken} values={values} errors={errors} />, status);

  return new Hono<ConsoleEnv>()
    .get('/console/contacts', async (c) => {
      const email = optional(c.req.query('email'));
      const tag = optional(c.req.query('tag'));
      let cursor: Cursor | null = null;
      let badCursor = false;
      try {
        cursor = c.req.query('cursor') ? decodeCursor(c.req.query('cursor')!) : null;
      } catch {
        badCursor = true;
      }
      const result = await listContacts(db, c.var.session.tenantId, {
        ...(email ? { email } : {}),
        ...(tag ? { tag } : {}),
        cursor,
        limit: PAGE_SIZE,
      });
      const filters = { ...(email ? { email } : {}), ...(tag ? { tag } : {}) };
      const notice = NOTICES.get(c.req.query('notice') ?? '');
      return page(
        c,
        'Contacts',
        <>
          {notice ? (
            <p class="notice" role="status">
              {notice}
            </p>
          ) : null}
          <p class="actions">
            <a class="button" href="/console/contacts/new">
              New contact
            </a>
          </p>
          <form method="get" action="/console/contacts" class="filters" aria-label="Filters">
            <div>
              <label for="q-email">Email</label>
              <input id="q-email" name="email" type="text" value={email ?? ''} />
            </div>
            <div>
              <label for="q-tag">Tag</label>
              <input id="q-tag" name="tag" type="text" value={tag ?? ''} />
            </div>
            <button type="submit" class="secondary">
              Apply
            </button>
          </form>
          {badCursor ? (
            <p class="alert" role="alert">
              That page link is not valid; here is the first page.
            </p>
          ) : null}
          <ContactTable rows={result.data} csrf={c.var.session.csrfToken} />
          <p class="actions">
            {cursor ? (
              <a class="button secondary" href={`/console/contacts?${new URLSearchParams(filters)}`}>
                First page
              </a>
            ) : null}
            {result.nextCursor ? (
              <a
                class="button secondary"
                href={`/console/contacts?${new URLSearchParams({ ...filters, cursor: result.nextCursor })}`}
              >
                Next page
              </a>
            ) : null}
          </p>
        </>,
      );
    })
    .get('/console/contacts/new', (c) => form(c, {}, {}))
    .post('/console/contacts', async (c) => {
      const fields = await formFields(c);
      const parsed = validateForm(CreateContactSchema, inputFromForm(fields));
      // A bad tag is reported at `tags.3`; the form has one tags field.
      if (!parsed.ok)
        return form(
          c,
          fields,
          Object.fromEntries(Object.entries(parsed.errors).map(([k, m]) => [k.startsWith('tags.') ? 'tags' : k, m])),
          400,
        );
      try {
        await createContact(db, c.var.session.tenantId, parsed.data, clock.now());
      } catch (error) {
        return form(c, fields, refusalErrors(error), 400);
      }
      return c.redirect('/console/contacts?notice=created', 303);
    })
    .post('/console/contacts/:id/delete', async (c) => {
      try {
        await deleteContact(db, c.var.session.tenantId, c.req.param('id'), CONTACT_UNLINKS, clock.now());
      } catch (error) {
        const message = Object.values(refusalErrors(error))[0];
        return page(
          c,
          'Not found',
          <p class="alert" role="alert">
            {message}
          </p>,
          404,
        );
      }
      return c.redirect('/console/contacts?notice=deleted', 303);
    });
}
