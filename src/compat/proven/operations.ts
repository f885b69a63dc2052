/** The Proven operations as OpenAPI routes: Proven's paths, Usher's operationIds, Proven's answers. */
import { createRoute as route, type z } from '@hono/zod-openapi';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import {
  AcceptBodySchema,
  AcceptedSchema,
  CreateBodySchema,
  CreatedSchema,
  DeletedSchema,
  ErrorSchema,
  InvitationIdParam,
  InvitationResultSchema,
  ListQuerySchema,
  ListResultSchema,
  PurposeParam,
  UpdateBodySchema,
  UpdatedSchema,
  WarningSchema,
} from './schemas';

const base = { tags: ['Indicio Proven compatibility'] };
const body = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
// 401 comes from the app's key check, before this surface, as Usher's problem+json.
const bad = {
  400: json(ErrorSchema, 'Bad input, or refused by the invitation rules; nothing changed'),
  ...problemsFor(401),
};
const missing = { 404: json(ErrorSchema, 'No such invitation in this tenant') };

export const listRoute = route({
  ...base,
  operationId: 'provenListInvitations',
  ...requires('invitations:read'),
  method: 'get',
  path: '/api/v1/invitations',
  summary: 'Proven: list didcomm invitations, offset-paged',
  request: { query: ListQuerySchema },
  responses: { 200: json(ListResultSchema, 'The effective query, the total and one page'), ...bad },
});

export const createRoute = route({
  ...base,
  operationId: 'provenCreateInvitation',
  ...requires('invitations:write'),
  method: 'post',
  path: '/api/v1/invitations',
  summary: 'Proven: create an out-of-band invitation',
  request: { body: body(CreateBodySchema) },
  responses: { 200: json(CreatedSchema, 'Created'), ...bad },
});

export const acceptRoute = route({
  ...base,
  operationId: 'provenAcceptInvitation',
  ...requires('invitations:write'),
  method: 'post',
  path: '/api/v1/invitations/accept',
  summary: "Proven: accept another agent's invitation URL",
  description:
    'Records the invitation as accepted and queues the handshake request; the connection completes when the inviter answers.',
  request: { body: body(AcceptBodySchema) },
  responses: { 200: json(AcceptedSchema, 'Accepted; the connection is in request-sent'), ...bad },
});

export const getRoute = route({
  ...base,
  operationId: 'provenGetInvitation',
  ...requires('invitations:read'),
  method: 'get',
  path: '/api/v1/invitations/{invitation_id}',
  summary: 'Proven: get an invitation by its integer id',
  request: { params: InvitationIdParam },
  responses: {
    200: json(InvitationResultSchema, 'The invitation'),
    404: json(WarningSchema, 'No such invitation in this tenant'),
    ...problemsFor(401),
  },
});

export const updateRoute = route({
  ...base,
  operationId: 'provenUpdateInvitation',
  ...requires('invitations:write'),
  method: 'put',
  path: '/api/v1/invitations/{invitation_id}',
  summary: 'Proven: change an open invitation; workflow_status inactive revokes it',
  request: { params: InvitationIdParam, body: body(UpdateBodySchema) },
  responses: { 200: json(UpdatedSchema, 'The invitation after the change'), ...bad, ...missing },
});

export const deleteRoute = route({
  ...base,
  operationId: 'provenDeleteInvitation',
  ...requires('invitations:write'),
  method: 'delete',
  path: '/api/v1/invitations/{invitation_id}',
  summary: 'Proven: delete an invitation',
  description:
    'Gone from every Proven read (404 on get, absent from lists and purpose look-ups). Usher keeps its history: an open invitation is revoked first, and the native API still shows it.',
  request: { params: InvitationIdParam },
  responses: { 200: json(DeletedSchema, 'Deleted'), ...bad, ...missing },
});

export const getByPurposeRoute = route({
  ...base,
  operationId: 'provenGetInvitationByPurpose',
  ...requires('invitations:read'),
  method: 'get',
  path: '/api/v1/invitations/purpose/{purpose}',
  summary: 'Proven: get an invitation by its purpose',
  request: { params: PurposeParam },
  responses: { 200: json(InvitationResultSchema, 'The invitation'), ...bad, ...missing },
});
