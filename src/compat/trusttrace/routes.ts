/**
 * TrustTrace's invitation API (seed 000): identities, invitation "actions" carrying a DIDComm
 * invitation and an emailed token, and an accept endpoint for technical automation. Each route
 * maps onto the native services: the action is a didcomm invitation with the contact's email.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { parseJson } from '#common/json';
import { AcceptResultSchema, JoinRequestAnswerSchema, apiKeyActor, getInvitationRow } from '#invitations';
import { createDidcommEndpointRoutes } from '#didcomm';
import { createRouter } from '#http/router';
import { json, problemsFor } from '#http/responses';
import { requires } from '#http/scopes';
import { getIdentity, listIdentities } from '#tenants';
import type { CompatDeps } from '../deps';
import { toAction, toIdentityHit } from './action';
import { AcceptActionSchema, CreateActionSchema, UuidParam } from './schemas';
import { createTrustTraceService } from './service';

const tags = ['TrustTrace compatibility'];
const Action = z.record(z.string(), z.unknown()).openapi('TrustTraceAction');

const identitiesRoute = createRoute({
  operationId: 'trustTraceListIdentities',
  method: 'get',
  path: '/api/v1/identity/all',
  tags,
  ...requires('invitations:read'),
  summary: "TrustTrace: the principal's identities",
  responses: {
    200: json(
      z.object({ total: z.object({ value: z.number().int() }), hits: z.array(z.record(z.string(), z.unknown())) }),
      'Identities',
    ),
    ...problemsFor(401),
  },
});

const createActionRoute = createRoute({
  operationId: 'trustTraceCreateInvitation',
  method: 'post',
  path: '/api/v1/invitation',
  tags,
  ...requires('invitations:write'),
  summary:
    'TrustTrace: invite a contact (or an address: its contact is found or made); an email with the token goes to them',
  request: { body: { content: { 'application/json': { schema: CreateActionSchema } }, required: true } },
  responses: { 200: json(Action, 'The invitation action'), ...problemsFor(400, 401, 404, 409) },
});

const getActionRoute = createRoute({
  operationId: 'trustTraceGetInvitation',
  method: 'get',
  path: '/api/v1/invitation/{uuid}',
  tags,
  ...requires('invitations:read'),
  summary: 'TrustTrace: an invitation action',
  request: { params: UuidParam },
  responses: { 200: json(Action, 'The invitation action'), ...problemsFor(401, 404) },
});

const acceptActionRoute = createRoute({
  operationId: 'trustTraceAcceptInvitation',
  method: 'post',
  path: '/api/v1/invitation/accept',
  tags,
  ...requires('invitations:write'),
  summary: 'TrustTrace: accept an invitation by its token (technical automation)',
  description: "The calling principal accepts on the invitee's behalf; the acceptance records it as the subject.",
  request: { body: { content: { 'application/json': { schema: AcceptActionSchema } }, required: true } },
  responses: {
    200: json(AcceptResultSchema, 'What accepting produced, with the signed acceptance token'),
    202: json(JoinRequestAnswerSchema, 'The invitation requires approval: a pending join request, no token yet'),
    ...problemsFor(400, 401, 404, 409, 410),
  },
});

/** The TrustTrace surface. */
export function createTrustTraceRoutes(deps: CompatDeps) {
  const { db, invitations, didcomm, publicUrl } = deps;
  const trustTrace = createTrustTraceService(deps);
  const endpoint = `${publicUrl}/api/didcomm`;
  const actionOf = async (tenantId: string, id: string, token: string | null, inviteName: string | null) => {
    const invitation = await invitations.get(tenantId, id);
    const row = await getInvitationRow(db, tenantId, id);
    const identity = await getIdentity(db, tenantId, invitation.identityId);
    const verkey = parseJson<{ verkey?: string } | null>(row.payload, null)?.verkey ?? '';
    return toAction(invitation, { tenantId, identity, verkey, endpoint, token, inviteName });
  };
  return (
    createRouter()
      .openapi(identitiesRoute, async (c) => {
        const identities = await listIdentities(db, c.var.auth.tenantId);
        return c.json({ total: { value: identities.length }, hits: identities.map(toIdentityHit) }, 200);
      })
      .openapi(createActionRoute, async (c) => {
        const { tenantId, apiKeyId } = c.var.auth;
        const body = c.req.valid('json');
        const { id, token } = await trustTrace.invite(tenantId, body, apiKeyActor(apiKeyId));
        return c.json(await actionOf(tenantId, id, token, body.config.inviteName ?? null), 200);
      })
      .openapi(getActionRoute, async (c) =>
        c.json(await actionOf(c.var.auth.tenantId, c.req.valid('param').uuid, null, null), 200),
      )
      .openapi(acceptActionRoute, async (c) => {
        const { token, name } = c.req.valid('json');
        // The caller holds the token, not the inviter's tenant: it gets what the accept page gives, never the inviter's records.
        const result = await invitations.acceptByToken(token, {
          subject: `tenant:${c.var.auth.tenantId}`,
          ...(name ? { name } : {}),
        });
        return 'joinRequest' in result ? c.json(result, 202) : c.json(result, 200);
      })
      // The endpoint TrustTrace's DIDComm invitations name (…/api/didcomm): the same DIDComm endpoint, public.
      .route('/api', createDidcommEndpointRoutes({ didcomm }))
  );
}
