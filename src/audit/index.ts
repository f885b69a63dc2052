/** The audit trail: who changed what, from where, when; readable, exportable, sent as webhooks. */
export { AUDIT_ACTIONS, AUDIT_WEBHOOK_EVENT, type AuditAction } from './actions';
export {
  auditActor,
  auditOfKey,
  changedFields,
  createAuditTrail,
  LOCAL_OPERATOR,
  recordAudit,
  type Audit,
  type AuditActor,
  type AuditChange,
  type AuditEvent,
  type AuditSink,
  type AuditTrail,
} from './record';
export { listAuditEvents, allAuditEvents, type AuditFilter } from './queries';
export { createAuditRoutes } from './routes';
