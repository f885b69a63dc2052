import { createRouter } from '#http/router';
import { apiKeyActor } from '#invitations';
import type { CompatDeps } from '../deps';
import { provenError, provenErrorHandler, provenValidationHook } from './errors';
import {
  acceptRoute,
  createRoute,
  deleteRoute,
  getByPurposeRoute,
  getRoute,
  listRoute,
  updateRoute,
} from './operations';
import { createProvenService } from './service';

// Proven's ids are integers; anything else names no invitation.
const numberOf = (raw: string): number | null => (/^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : null);

/** The number in the path, or a 400 for one that cannot be an invitation id (PUT and DELETE document 400). */
function requireNumber(raw: string): number {
  const number = numberOf(raw);
  if (number === null)
    throw provenError('validation_failed', `"${raw}" is not an invitation id (a positive integer)`, 'invitation_id');
  return number;
}

/**
 * Indicio Proven's invitations API (/api/v1/invitations) on Usher: didcomm invitations named by
 * their integer number, Proven's field names and error shapes, every rule the core's.
 */
export function createProvenRoutes(deps: CompatDeps) {
  const proven = createProvenService(deps);
  const hook = provenValidationHook as never;
  const router = createRouter()
    .openapi(
      listRoute,
      async (c) => c.json({ invitations: await proven.list(c.var.auth.tenantId, c.req.valid('query')) }, 200),
      hook,
    )
    .openapi(
      createRoute,
      async (c) =>
        c.json(await proven.create(c.var.auth.tenantId, c.req.valid('json'), apiKeyActor(c.var.auth, 'proven')), 200),
      hook,
    )
    .openapi(
      acceptRoute,
      async (c) => {
        const record = await proven.accept(
          c.var.auth.tenantId,
          c.req.valid('json').invitation_url,
          apiKeyActor(c.var.auth, 'proven'),
        );
        return c.json({ success: true as const, invitation_record: record }, 200);
      },
      hook,
    )
    .openapi(
      getByPurposeRoute,
      async (c) => {
        const { purpose } = c.req.valid('param');
        const invitation = await proven.findByPurpose(c.var.auth.tenantId, purpose);
        return invitation
          ? c.json({ invitation }, 200)
          : c.json({ error: `no invitation with purpose "${purpose}"`, code: 'invitation_not_found' }, 404);
      },
      hook,
    )
    .openapi(
      getRoute,
      async (c) => {
        const raw = c.req.valid('param').invitation_id;
        const number = numberOf(raw);
        const invitation = number === null ? null : await proven.findByNumber(c.var.auth.tenantId, number);
        // Proven documents { warning } for this one 404.
        return invitation ? c.json({ invitation }, 200) : c.json({ warning: `Invitation ${raw} not found` }, 404);
      },
      hook,
    )
    .openapi(
      updateRoute,
      async (c) => {
        const number = requireNumber(c.req.valid('param').invitation_id);
        const updatedInvitation = await proven.update(
          c.var.auth.tenantId,
          number,
          c.req.valid('json'),
          apiKeyActor(c.var.auth, 'proven'),
        );
        return updatedInvitation
          ? c.json({ updatedInvitation }, 200)
          : c.json({ error: `Invitation ${number} not found`, code: 'invitation_not_found' }, 404);
      },
      hook,
    )
    .openapi(
      deleteRoute,
      async (c) => {
        const number = requireNumber(c.req.valid('param').invitation_id);
        return (await proven.remove(c.var.auth.tenantId, number, apiKeyActor(c.var.auth, 'proven')))
          ? c.json({ success: `Invitation ${number} deleted` }, 200)
          : c.json({ error: `Invitation ${number} not found`, code: 'invitation_not_found' }, 404);
      },
      hook,
    );
  router.onError(provenErrorHandler);
  return router;
}
