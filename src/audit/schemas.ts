import { z } from '@hono/zod-openapi';
import { AUDIT_ACTIONS } from './actions';

const instant = z.string().datetime({ offset: false, precision: 3 });

/** Filters of the list and the export. */
export const AuditFilterSchema = z.strictObject({
  action: z.enum(AUDIT_ACTIONS).optional().describe('Only this action.'),
  actor: z.string().max(64).optional().describe('Only changes made with this API key id.'),
  since: instant.optional().describe('Only entries at or after this instant (ISO 8601, UTC, milliseconds).'),
  until: instant.optional().describe('Only entries before this instant.'),
});

/** The list's query: the filters and a page. */
export const AuditQuerySchema = AuditFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().max(512).optional().describe('nextCursor of the previous page.'),
});

/** An entry of the audit trail. */
export const AuditEventSchema = z
  .object({
    id: z.string(),
    action: z.enum(AUDIT_ACTIONS),
    actor: z.object({
      keyId: z.string().nullable().describe('The API key that made the change; a console session names its key.'),
      keyName: z.string().nullable().describe('The key\u2019s name when it acted.'),
      surface: z.string().describe('api (REST, SDK, CLI), console, or a compatible surface: proven, unipile, …'),
    }),
    subjectType: z.string().describe('What was changed: api_key, tenant, webhook_endpoint, identity, invitation, …'),
    subjectId: z.string().nullable(),
    changes: z.record(z.string(), z.unknown()).describe('Field names, with old and new values unless secret.'),
    createdAt: z.string(),
  })
  .openapi('AuditEvent');
