/** Row type of the audit trail (owned by `src/audit/`). */

/** One privileged change: what was done, by which key from which surface, to what, and what changed. */
export interface AuditEventRow {
  id: string;
  tenant_id: string;
  /** 'key.created', 'settings.changed', 'invitation.revoked', … (AUDIT_ACTIONS in src/audit/actions.ts) */
  action: string;
  /** Null when no key acted (bootstrap, a system job). */
  actor_key_id: string | null;
  /** The key's name when it acted, kept: a key renamed or revoked later still reads as it was. */
  actor_key_name: string | null;
  /** 'api' (the CLI and SDK too), 'console', or a compatible surface's name. */
  surface: string;
  subject_type: string;
  subject_id: string | null;
  /** JSON: field names, and old/new values for non-secret fields. */
  changes: string;
  created_at: string;
}
