import { insertRowsLater, type AuditEventRow, type Db } from '#db';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import type { Clock } from '#common/clock';
import type { AuditAction } from './actions';

/** Who made a change: the key (its id and its name then) and the surface it came through. */
export interface AuditActor {
  readonly keyId: string | null;
  readonly keyName: string | null;
  /**
   * 'api' (REST, the SDK and the CLI through the server), 'console', a compatible surface's name, or 'cli'
   * with no key: the local operator, whose `usher … --local` wrote the store directly.
   */
  readonly surface: string;
}

/** What changed: never a secret, only field names and the old and new values of non-secret fields. */
export interface AuditChange {
  readonly action: AuditAction;
  readonly subjectType: string;
  readonly subjectId: string | null;
  readonly changes?: Readonly<Record<string, unknown>>;
}

/** An entry of the trail as the API shows it. */
export interface AuditEvent extends Required<AuditChange> {
  readonly id: string;
  readonly actor: AuditActor;
  readonly createdAt: string;
}

/** Where entries go besides the table (webhooks), called in the recording transaction. A port: delivery fills it. */
export type AuditSink = (trx: Db, tenantId: string, event: AuditEvent) => Promise<void>;

/** Records a change for the tenant, bound to who makes it: what services take, in their own transaction. */
export type Audit = (trx: Db, change: AuditChange) => Promise<void>;

/** The trail for a running server: `scope(tenantId, actor)` binds who acts; the rest is the same for all. */
export interface AuditTrail {
  scope(tenantId: string, actor: AuditActor): Audit;
}

/** Turns a stored row into the API's view. */
export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    action: row.action as AuditAction,
    actor: { keyId: row.actor_key_id, keyName: row.actor_key_name, surface: row.surface },
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    changes: parseJson(row.changes, {}),
    createdAt: row.created_at,
  };
}

/**
 * Writes one entry in the caller's transaction, so no change commits without its entry, and hands it
 * to the sink in that same transaction (its webhook rows commit with it too).
 */
export async function recordAudit(
  trx: Db,
  entry: AuditChange & { readonly tenantId: string; readonly actor: AuditActor },
  now: Date,
  sink: AuditSink,
): Promise<AuditEvent> {
  const row: AuditEventRow = {
    id: newId(now.getTime()),
    tenant_id: entry.tenantId,
    action: entry.action,
    actor_key_id: entry.actor.keyId,
    actor_key_name: entry.actor.keyName,
    surface: entry.actor.surface,
    subject_type: entry.subjectType,
    subject_id: entry.subjectId,
    changes: JSON.stringify(entry.changes ?? {}),
    created_at: isoTime(now),
  };
  // A fresh id: the entry goes with the transaction's next statement or its COMMIT.
  await insertRowsLater(trx, 'audit_events', [row]);
  const event = toAuditEvent(row);
  await sink(trx, entry.tenantId, event);
  return event;
}

/** The trail of a running server, its entries sent on to `sink` (delivery's webhooks). */
export function createAuditTrail(deps: { readonly clock: Clock; readonly sink?: AuditSink }): AuditTrail {
  const sink = deps.sink ?? (async () => {});
  return {
    scope: (tenantId, actor) => async (trx, change) => {
      await recordAudit(trx, { ...change, tenantId, actor }, deps.clock.now(), sink);
    },
  };
}

/** Whoever runs `usher … --local` on the server's host: no key, they opened the store itself. */
export const LOCAL_OPERATOR: AuditActor = Object.freeze({ keyId: null, keyName: null, surface: 'cli' });

/** The actor of a key acting through `surface`. */
export function auditActor(
  key: { readonly apiKeyId: string; readonly apiKeyName?: string },
  surface: string,
): AuditActor {
  return { keyId: key.apiKeyId, keyName: key.apiKeyName ?? null, surface };
}

/** Field names whose values changed between two records, with old and new, secrets left out by name. */
export function changedFields(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  secret: readonly string[] = [],
): Record<string, { readonly old: unknown; readonly new: unknown } | 'changed'> {
  const out: Record<string, { readonly old: unknown; readonly new: unknown } | 'changed'> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    out[key] = secret.includes(key) ? 'changed' : { old: before[key] ?? null, new: after[key] ?? null };
  }
  return out;
}

/** The trail bound to a key acting through `surface` (`api`: REST, the SDK, the CLI). */
export function auditOfKey(
  trail: AuditTrail,
  key: { readonly tenantId: string; readonly apiKeyId: string; readonly apiKeyName?: string },
  surface = 'api',
): Audit {
  return trail.scope(key.tenantId, auditActor(key, surface));
}
