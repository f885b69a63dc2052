import { insertRowsLater, type Db, type InvitationEventRow, type InvitationRow } from '#db';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import type { InvitingKey, TenantSettings } from '#tenants';
import type { InvitationEventType, InvitationStatus, Transition } from './lifecycle';

/** Who caused a change: a key of the tenant, the invitee holding the link, another server's actor, or Usher itself. */
export type Actor =
  | {
      readonly kind: 'api_key';
      readonly id: string;
      readonly name?: string;
      readonly surface?: string;
      /** The key's rights and quota as the request authenticated it: a create need not read the key again. */
      readonly key?: InvitingKey;
    }
  | { readonly kind: 'invitee' }
  | { readonly kind: 'remote'; readonly iri: string }
  | { readonly kind: 'system' };

/**
 * The actor of a change made with one of the tenant's API keys: REST, the console and the compatibility surfaces.
 * Given the key's context, its name and the surface (`api` by default) go to the audit trail too.
 */
export function apiKeyActor(
  key:
    | string
    | {
        readonly apiKeyId: string;
        readonly apiKeyName?: string;
        readonly rights?: InvitingKey['rights'];
        readonly inviteQuota?: InvitingKey['inviteQuota'];
      },
  surface?: string,
): Actor {
  if (typeof key === 'string') return { kind: 'api_key', id: key };
  const named = key.apiKeyName === undefined ? {} : { name: key.apiKeyName };
  const held =
    key.rights !== undefined && key.inviteQuota !== undefined
      ? { key: { rights: key.rights, inviteQuota: key.inviteQuota } }
      : {};
  return { kind: 'api_key', id: key.apiKeyId, ...named, surface: surface ?? 'api', ...held };
}

export function actorName(actor: Actor): string {
  if (actor.kind === 'api_key') return `api_key:${actor.id}`;
  if (actor.kind === 'remote') return `remote:${actor.iri}`;
  return actor.kind;
}

/** An entry of an invitation's timeline. */
export interface InvitationEvent {
  readonly id: string;
  readonly invitationId: string;
  readonly type: InvitationEventType;
  readonly previousStatus: InvitationStatus | null;
  readonly status: InvitationStatus;
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
}

function toEvent(row: InvitationEventRow): InvitationEvent {
  return {
    id: row.id,
    invitationId: row.invitation_id,
    type: row.type as InvitationEventType,
    previousStatus: row.previous_status as InvitationStatus | null,
    status: row.new_status as InvitationStatus,
    actor: row.actor,
    data: parseJson(row.data, {}),
    createdAt: row.created_at,
  };
}

/**
 * Where recorded events go besides the timeline (webhooks, email), called in the same
 * transaction so the outbox rows they cause commit with the change. A port: invitations do not
 * know who listens; main.ts wires delivery in.
 */
export type EventSink = ((trx: Db, invitation: InvitationRow, events: readonly InvitationEvent[]) => Promise<void>) & {
  /**
   * Starts the reads its next call in `trx` for the tenant will make, so they ride with the statements the change
   * sends meanwhile (startAhead, read-ahead.ts) instead of a round trip of their own. `settings`: the tenant's, when
   * the change has read them already (a create has), so the sink does not read them again. Optional: a sink that
   * reads nothing has none, and a change that skips it is only slower.
   */
  readonly ahead?: (trx: Db, tenantId: string, settings?: TenantSettings) => void;
};

/** A sink that drops events: for tools that only read. Not for a running server. */
export const noEventSink: EventSink = async () => {};

/** One sink that hands the events to each of `sinks` in turn, in the same transaction. */
export function combineSinks(...sinks: readonly EventSink[]): EventSink {
  const combined = async (trx: Db, invitation: InvitationRow, events: readonly InvitationEvent[]) => {
    for (const sink of sinks) await sink(trx, invitation, events);
  };
  const ahead = sinks.flatMap((sink) => (sink.ahead ? [sink.ahead] : []));
  if (ahead.length === 0) return combined;
  return Object.assign(combined, {
    ahead: (trx: Db, tenantId: string, settings?: TenantSettings) =>
      ahead.forEach((start) => start(trx, tenantId, settings)),
  });
}

/**
 * Writes the events of one transition, in the caller's transaction, so that no change is ever
 * stored without its event, and hands them to the sink in that same transaction.
 */
export async function writeEvents(
  db: Db,
  invitation: InvitationRow,
  change:
    | Pick<Transition, 'previousStatus' | 'status' | 'events'>
    | { previousStatus: null; status: InvitationStatus; events: readonly InvitationEventType[] },
  actor: Actor,
  data: Record<string, unknown>,
  now: Date,
  sink: EventSink,
): Promise<void> {
  const rows: InvitationEventRow[] = change.events.map((type) => ({
    id: newId(now.getTime()),
    tenant_id: invitation.tenant_id,
    invitation_id: invitation.id,
    type,
    previous_status: change.previousStatus,
    new_status: change.status,
    actor: actorName(actor),
    data: JSON.stringify(data),
    created_at: isoTime(now),
  }));
  if (rows.length === 0) return;
  // Fresh ids: nothing but a failing database refuses them, so the insert goes with the next statement.
  await insertRowsLater(db, 'invitation_events', rows);
  await sink(db, invitation, rows.map(toEvent));
}

/** An invitation's timeline, oldest first. The caller has checked the invitation is the tenant's. */
export async function listEvents(db: Db, tenantId: string, invitationId: string): Promise<InvitationEvent[]> {
  const rows = await db
    .selectFrom('invitation_events')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('invitation_id', '=', invitationId)
    // Ids are monotonic UUIDv7s: their order is the order of writing, even within a millisecond.
    .orderBy('id', 'asc')
    .execute();
  return rows.map(toEvent);
}

/** Records what delivery did to an invitation (sent, failed) on its timeline; the status is unchanged. */
export async function recordDeliveryEvent(
  trx: Db,
  invitation: InvitationRow,
  type: 'invitation.sent' | 'invitation.delivery_failed',
  data: Record<string, unknown>,
  now: Date,
  sink: EventSink,
): Promise<void> {
  const status = invitation.status as InvitationStatus;
  await writeEvents(
    trx,
    invitation,
    { previousStatus: status, status, events: [type] },
    { kind: 'system' },
    data,
    now,
    sink,
  );
}
