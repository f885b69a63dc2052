import type { Kysely } from 'kysely';
import type { Database, Db, InvitationRow } from '#db';
import type { Clock } from '#common/clock';
import { parseJson } from '#common/json';
import type { AuditChange } from '#audit';
import { findInvitingKey } from '#tenants';
import { commitAcceptance } from './commit-acceptance';
import { invitationError } from './errors';
import { actorName, writeEvents, type Actor, type EventSink } from './events';
import { transition, type InvitationEventType, type InvitationStatus } from './lifecycle';
import type { LockedWork } from './locked-row';
import { lifecycleState } from './record';
import { memberOf } from './redeem';
import { roleCeilingAtCreate } from './role-ceiling';
import type { AcceptorInput } from './public-schemas';
import { findTakenSeat } from './taken-seat';
import {
  findLatestJoinRequest,
  getJoinRequestRow,
  insertJoinRequest,
  listJoinRequests,
  storeDecision,
  toJoinRequest,
  type JoinRequest,
  type JoinRequestFilter,
} from './join-requests';

/** Writes a join request's event on its invitation's timeline (the status unchanged), with its webhooks and mail. */
async function recordJoinEvent(
  trx: Db,
  row: InvitationRow,
  type: InvitationEventType,
  request: JoinRequest,
  context: { readonly now: Date; readonly actor: Actor; readonly sink: EventSink },
): Promise<void> {
  const status = row.status as InvitationStatus;
  const data = {
    joinRequestId: request.id,
    member: request.member,
    email: request.email,
    ...(request.membershipId ? { membershipId: request.membershipId } : {}),
    ...(request.reason ? { reason: request.reason } : {}),
  };
  const change = { previousStatus: status, status, events: [type] };
  await writeEvents(trx, row, change, context.actor, data, context.now, context.sink);
}

/**
 * On a link that requires approval, accepting asks instead: the member's pending request, or a new one. Nothing is
 * consumed until approval, so a declined request costs no seat. The link must be open now (an expired or spent one
 * refuses as accepting would); a declined person asking again is refused, not queued again.
 */
export async function requestToJoin(
  trx: Db,
  row: InvitationRow,
  acceptor: AcceptorInput,
  context: { readonly now: Date; readonly sink: EventSink },
): Promise<JoinRequest> {
  const open = transition(lifecycleState(row), 'accept', context.now);
  if (!open.ok) throw invitationError(open.refusal);
  const member = memberOf(row, acceptor);
  const of = { tenantId: row.tenant_id, invitationId: row.id, memberKey: member.key };
  const latest = await findLatestJoinRequest(trx, of);
  if (latest?.status === 'pending') return toJoinRequest(latest);
  if (latest?.status === 'declined') throw invitationError('join_request_declined');
  const stored = await insertJoinRequest(trx, { ...of, acceptor, email: member.email }, context.now);
  const request = toJoinRequest(stored);
  await recordJoinEvent(trx, row, 'join_request.created', request, { ...context, actor: { kind: 'invitee' } });
  return request;
}

/** What deciding needs from the invitation service. */
export interface JoinDecisionDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly sink: EventSink;
  readonly withLocked: <T>(tenantId: string, id: string, work: LockedWork<T>) => Promise<T>;
  readonly audit: (trx: Db, tenantId: string, actor: Actor, change: AuditChange) => Promise<void>;
}

/** The operator's side of join requests: list, read, approve, decline. */
export function createJoinDecisions(deps: JoinDecisionDeps) {
  const { db, clock, sink, withLocked, audit } = deps;

  /** Runs `work` on a pending request with its invitation locked, then records the decision on the audit trail. */
  async function decide(
    tenantId: string,
    id: string,
    actor: Actor,
    work: (trx: Db, row: InvitationRow, request: ReturnType<typeof parseRequest>, now: Date) => Promise<JoinRequest>,
  ): Promise<JoinRequest> {
    const { invitation_id: invitationId } = await getJoinRequestRow(db, tenantId, id);
    return withLocked(tenantId, invitationId, async (trx, row) => {
      // Read again under the invitation's lock: two deciders, or a decider and the requester, are serialized.
      const request = parseRequest(await getJoinRequestRow(trx, tenantId, id));
      if (request.row.status !== 'pending') {
        const detail = `it was ${request.row.status} at ${request.row.decided_at}`;
        throw invitationError('join_request_decided', detail, 'path.id', { joinRequestStatus: request.row.status });
      }
      const decided = await work(trx, row, request, clock.now());
      const changes = { decision: decided.status, invitationId, member: decided.member };
      await audit(trx, tenantId, actor, {
        action: 'join_request.decided',
        subjectType: 'join_request',
        subjectId: id,
        changes,
      });
      return decided;
    });
  }

  return {
    async listJoinRequests(tenantId: string, filter: JoinRequestFilter) {
      return listJoinRequests(db, tenantId, filter);
    },

    async getJoinRequest(tenantId: string, id: string): Promise<JoinRequest> {
      return toJoinRequest(await getJoinRequestRow(db, tenantId, id));
    },

    /**
     * Grants the seat through the acceptance path (a use, a redemption, `invitation.accepted`, one seat per person),
     * then `join_request.approved`. The invitation's own role ceiling and the approving key's both hold. A link spent,
     * expired or revoked since the request refuses as accepting would (410) and the request stays pending: decline it.
     */
    async approveJoinRequest(tenantId: string, id: string, actor: Actor): Promise<JoinRequest> {
      return decide(tenantId, id, actor, async (trx, row, { row: stored, acceptor }, now) => {
        if (actor.kind === 'api_key') {
          const key = await findInvitingKey(trx, tenantId, actor.id);
          roleCeilingAtCreate(key?.rights ?? null, { role: row.role, targetIri: row.target_iri });
        }
        const context = { now, actor, sink };
        const seat = await findTakenSeat(trx, row, acceptor, now);
        const accepted = seat ? { row, redemption: seat } : await commitAcceptance(trx, row, acceptor, context);
        const decision = { status: 'approved', reason: null, decidedBy: actorName(actor) } as const;
        const membershipId = accepted.redemption.membership.id;
        const request = toJoinRequest(await storeDecision(trx, stored, { ...decision, membershipId }, now));
        await recordJoinEvent(trx, accepted.row, 'join_request.approved', request, context);
        return request;
      });
    },

    /** Declines: no seat is taken; the requester is told by email when they gave an address. */
    async declineJoinRequest(tenantId: string, id: string, reason: string | null, actor: Actor): Promise<JoinRequest> {
      return decide(tenantId, id, actor, async (trx, row, { row: stored }, now) => {
        const decision = { status: 'declined', reason, membershipId: null, decidedBy: actorName(actor) } as const;
        const request = toJoinRequest(await storeDecision(trx, stored, decision, now));
        await recordJoinEvent(trx, row, 'join_request.declined', request, { now, actor, sink });
        return request;
      });
    },
  };
}

function parseRequest(row: Awaited<ReturnType<typeof getJoinRequestRow>>) {
  return { row, acceptor: parseJson<AcceptorInput>(row.acceptor, {}) };
}
