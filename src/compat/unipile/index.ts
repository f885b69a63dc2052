/**
 * Unipile's users API on Usher (seed 003), so a Unipile client (or another Usher's provider
 * connector) can look up this server's identities, or fediverse actors, and invite them:
 * GET /api/v1/users/{identifier}, POST /api/v1/users/invite, GET /api/v1/users/invite/sent and
 * DELETE …/sent/{invitation_id}.
 */
import { createRoute } from '@hono/zod-openapi';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import type { CompatDeps } from '../deps';
import { unipileErrorHandler, unipileValidationHook } from './errors';
import {
  AccountQuerySchema,
  IdentifierParam,
  InvitationCanceledSchema,
  InvitationIdParam,
  InvitationListSchema,
  InvitationSentSchema,
  InviteSchema,
  SentQuerySchema,
  UserProfileSchema,
} from './schemas';
import { actorOf, createUnipileService } from './service';

const base = { tags: ['Unipile compatibility'] };

const profileRoute = createRoute({
  ...base,
  operationId: 'unipileGetProfile',
  ...requires('invitations:read'),
  method: 'get',
  path: '/api/v1/users/{identifier}',
  summary:
    'Unipile: retrieve the profile of an identity of this server (by handle or id) or of a fediverse actor (@user@host or IRI)',
  request: { params: IdentifierParam, query: AccountQuerySchema },
  responses: { 200: json(UserProfileSchema, 'The profile'), ...problemsFor(400, 401, 404) },
});

const inviteRoute = createRoute({
  ...base,
  operationId: 'unipileSendInvitation',
  ...requires('invitations:write'),
  method: 'post',
  path: '/api/v1/users/invite',
  summary:
    'Unipile: invite an identity of this server (it gets an incoming provider invitation) or a fediverse actor (it gets an ActivityPub Invite)',
  request: { body: { content: { 'application/json': { schema: InviteSchema } }, required: true } },
  responses: { 200: json(InvitationSentSchema, 'Sent'), ...problemsFor(400, 401, 403, 404, 422) },
});

const sentRoute = createRoute({
  ...base,
  operationId: 'unipileListInvitationsSent',
  ...requires('invitations:read'),
  method: 'get',
  path: '/api/v1/users/invite/sent',
  summary: "Unipile: the account's invitations to users (identities, providers, fediverse actors) still pending",
  request: { query: SentQuerySchema },
  responses: { 200: json(InvitationListSchema, 'The invitations'), ...problemsFor(400, 401, 404) },
});

const cancelRoute = createRoute({
  ...base,
  operationId: 'unipileCancelInvitation',
  ...requires('invitations:write'),
  method: 'delete',
  path: '/api/v1/users/invite/sent/{invitation_id}',
  summary: "Unipile: cancel an invitation the account sent; the invitee's incoming invitation is revoked too",
  request: { params: InvitationIdParam, query: AccountQuerySchema },
  responses: { 200: json(InvitationCanceledSchema, 'Cancelled'), ...problemsFor(400, 401, 404, 422) },
});

/** The Unipile surface; `account_id` is an identity of the caller's tenant. */
export function createUnipileRoutes(deps: CompatDeps) {
  const unipile = createUnipileService(deps);
  const hook = unipileValidationHook as never;
  const router = createRouter()
    // Registered before /users/{identifier} so "invite" is never read as a handle.
    .openapi(
      sentRoute,
      async (c) => c.json(await unipile.listSent(c.var.auth.tenantId, c.req.valid('query')), 200),
      hook,
    )
    .openapi(
      profileRoute,
      async (c) =>
        c.json(
          await unipile.profile(c.var.auth.tenantId, c.req.valid('param').identifier, c.req.valid('query').account_id),
          200,
        ),
      hook,
    )
    .openapi(
      inviteRoute,
      async (c) => c.json(await unipile.invite(c.var.auth.tenantId, c.req.valid('json'), actorOf(c)), 200),
      hook,
    )
    .openapi(
      cancelRoute,
      async (c) =>
        c.json(
          await unipile.cancel(
            c.var.auth.tenantId,
            c.req.valid('param').invitation_id,
            c.req.valid('query').account_id,
            actorOf(c),
          ),
          200,
        ),
      hook,
    );
  router.onError(unipileErrorHandler);
  return router;
}
