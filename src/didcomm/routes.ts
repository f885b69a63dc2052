import { createRoute } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { createRouter } from '#http/router';
import { decodeCursor } from '#http/pagination';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { httpProblem } from '#http/problem';
import { apiKeyActor } from '#invitations';
import type { DidcommService } from './service';
import {
  AcceptInvitationUrlSchema,
  ConnectionIdParam,
  ConnectionPageSchema,
  ConnectionQuerySchema,
  ConnectionSchema,
} from './schemas';

const tags = ['DIDComm'];

const acceptRoute = createRoute({
  operationId: 'acceptDidcommInvitation',
  method: 'post',
  path: '/didcomm/accept',
  tags,
  ...requires('invitations:write'),
  summary: "Accept another agent's invitation URL on behalf of an identity",
  description:
    'Reads an RFC 0434 (?oob=) or RFC 0160 (?c_i=) invitation, records it as an incoming invitation accepted, and sends the DID Exchange or Connections request. The connection completes when the inviter answers.',
  request: { body: { content: { 'application/json': { schema: AcceptInvitationUrlSchema } }, required: true } },
  responses: {
    201: json(ConnectionSchema, 'The connection, in request-sent'),
    ...problemsFor(400, 401, 404, 409, 422),
  },
});

const listRoute = createRoute({
  operationId: 'listConnections',
  method: 'get',
  path: '/connections',
  tags,
  ...requires('invitations:read'),
  summary: 'List DIDComm connections, newest first',
  request: { query: ConnectionQuerySchema },
  responses: { 200: json(ConnectionPageSchema, 'A page'), ...problemsFor(400, 401) },
});

const getRoute = createRoute({
  operationId: 'getConnection',
  method: 'get',
  path: '/connections/{id}',
  tags,
  ...requires('invitations:read'),
  summary: 'Get a DIDComm connection',
  request: { params: ConnectionIdParam },
  responses: { 200: json(ConnectionSchema, 'The connection'), ...problemsFor(401, 404) },
});

const deleteRoute = createRoute({
  operationId: 'deleteConnection',
  method: 'delete',
  path: '/connections/{id}',
  tags,
  ...requires('invitations:write'),
  summary: 'Delete a connection and its key; messages to it are refused from then on',
  request: { params: ConnectionIdParam },
  responses: { 204: { description: 'Deleted' }, ...problemsFor(401, 404) },
});

const pingRoute = createRoute({
  operationId: 'pingConnection',
  method: 'post',
  path: '/connections/{id}/ping',
  tags,
  ...requires('invitations:write'),
  summary: 'Send an RFC 0048 trust ping; lastPingResponseAt moves when the answer arrives',
  request: { params: ConnectionIdParam },
  responses: { 202: json(ConnectionSchema, 'The connection, ping queued'), ...problemsFor(401, 404, 409) },
});

/** The tenant's DIDComm API: accept invitation URLs, connections, trust ping. */
export function createConnectionRoutes({ didcomm }: { didcomm: DidcommService }) {
  return createRouter()
    .openapi(acceptRoute, async (c) =>
      c.json(
        await didcomm.acceptInvitationUrl(c.var.auth.tenantId, c.req.valid('json'), apiKeyActor(c.var.auth.apiKeyId)),
        201,
      ),
    )
    .openapi(listRoute, async (c) => {
      const { cursor, ...filters } = c.req.valid('query');
      return c.json(
        await didcomm.listConnections(c.var.auth.tenantId, {
          ...filters,
          cursor: cursor ? decodeCursor(cursor) : null,
        }),
        200,
      );
    })
    .openapi(getRoute, async (c) =>
      c.json(await didcomm.getConnection(c.var.auth.tenantId, c.req.valid('param').id), 200),
    )
    .openapi(deleteRoute, async (c) => {
      await didcomm.deleteConnection(c.var.auth.tenantId, c.req.valid('param').id);
      return c.body(null, 204);
    })
    .openapi(pingRoute, async (c) => c.json(await didcomm.ping(c.var.auth.tenantId, c.req.valid('param').id), 202));
}

/** RFC 0025 media types an agent may post an envelope with; older agents use the last two. */
const ENVELOPE_TYPES = ['application/didcomm-envelope-enc', 'application/ssi-agent-wire', 'application/json'];

/**
 * The public endpoint agents post envelopes to (RFC 0025 §HTTP). 202 once processed, or 200 with
 * an envelope when the sender asked for a return route (RFC 0092) and a message waits for it;
 * anything refused gets problem+json here and, where the sender can be told, a DIDComm problem report.
 */
export function createDidcommEndpointRoutes({ didcomm }: { didcomm: DidcommService }) {
  return (
    new Hono()
      .post('/didcomm', async (c) => {
        const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (!ENVELOPE_TYPES.includes(type))
          return httpProblem(
            'unsupported_media_type',
            `post a DIDComm envelope as ${ENVELOPE_TYPES[0]}, not ${type || 'no content type'}`,
          );
        const { reply } = await didcomm.receive(await c.req.text());
        // The answer goes back in the media type the sender used, as agents' own HTTP transports do.
        if (reply)
          return c.body(reply, 200, { 'content-type': type === 'application/json' ? ENVELOPE_TYPES[0]! : type });
        return c.body(null, 202);
      })
      // An invitation URL opened in a browser lands here: say what it is rather than 404.
      .get('/didcomm', (c) =>
        c.text(
          'This is a DIDComm v1 endpoint. Open the invitation URL in an Aries agent (a wallet), or accept it with another Usher: POST /v1/didcomm/accept.',
          200,
        ),
      )
  );
}
