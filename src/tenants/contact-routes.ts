import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { decodeCursor } from '#http/pagination';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { createContact, deleteContact, getContact, listContacts, updateContact, type ContactUnlink } from './contacts';
import type { TenantRoutesDeps } from './routes';
import {
  ContactPageSchema,
  ContactQuerySchema,
  ContactSchema,
  CreateContactSchema,
  IdParam,
  UpdateContactSchema,
} from './schemas';

const tags = ['Contacts'];

const listRoute = createRoute({
  operationId: 'listContacts',
  method: 'get',
  path: '/contacts',
  tags,
  ...requires('contacts:manage'),
  summary: 'List contacts, filtered by email, DID, actor or tag',
  request: { query: ContactQuerySchema },
  responses: { 200: json(ContactPageSchema, 'A page of contacts'), ...problemsFor(400, 401) },
});

const getRoute = createRoute({
  operationId: 'getContact',
  method: 'get',
  path: '/contacts/{id}',
  tags,
  ...requires('contacts:manage'),
  summary: 'Get a contact',
  request: { params: IdParam },
  responses: { 200: json(ContactSchema, 'The contact'), ...problemsFor(401, 404) },
});

const createContactRoute = createRoute({
  operationId: 'createContact',
  method: 'post',
  path: '/contacts',
  tags,
  ...requires('contacts:manage'),
  summary: 'Create a contact',
  request: { body: { content: { 'application/json': { schema: CreateContactSchema } }, required: true } },
  responses: { 201: json(ContactSchema, 'The contact'), ...problemsFor(400, 401) },
});

const updateRoute = createRoute({
  operationId: 'updateContact',
  method: 'patch',
  path: '/contacts/{id}',
  tags,
  ...requires('contacts:manage'),
  summary: 'Change a contact (given fields replace stored ones; null clears)',
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateContactSchema } }, required: true },
  },
  responses: { 200: json(ContactSchema, 'The contact'), ...problemsFor(400, 401, 404) },
});

const deleteRoute = createRoute({
  operationId: 'deleteContact',
  method: 'delete',
  path: '/contacts/{id}',
  tags,
  ...requires('contacts:manage'),
  summary: 'Delete a contact; invitations that named it keep their addresses',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...problemsFor(401, 404) },
});

/** What the contact routes need: the store, the clock, and what other capabilities do when a contact is deleted. */
export interface ContactRoutesDeps extends Pick<TenantRoutesDeps, 'db' | 'clock'> {
  readonly contactUnlinks: readonly ContactUnlink[];
}

/** Contact routes. */
export function createContactRoutes({ db, clock, contactUnlinks }: ContactRoutesDeps) {
  return createRouter()
    .openapi(listRoute, async (c) => {
      const { order, limit, cursor, ...filter } = c.req.valid('query');
      const page = await listContacts(db, c.var.auth.tenantId, {
        ...filter,
        direction: order ?? 'asc',
        limit: limit ?? 50,
        cursor: cursor ? decodeCursor(cursor) : null,
      });
      return c.json(page, 200);
    })
    .openapi(getRoute, async (c) => c.json(await getContact(db, c.var.auth.tenantId, c.req.valid('param').id), 200))
    .openapi(createContactRoute, async (c) =>
      c.json(await createContact(db, c.var.auth.tenantId, c.req.valid('json'), clock.now()), 201),
    )
    .openapi(updateRoute, async (c) =>
      c.json(
        await updateContact(db, c.var.auth.tenantId, c.req.valid('param').id, c.req.valid('json'), clock.now()),
        200,
      ),
    )
    .openapi(deleteRoute, async (c) => {
      await deleteContact(db, c.var.auth.tenantId, c.req.valid('param').id, contactUnlinks, clock.now());
      return c.body(null, 204);
    });
}
