import { insertRow, type Db, type JoinRequestRow } from '#db';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import { keysetPage, toPage } from '#db/keyset';
import type { Cursor, Page } from '#http/pagination';
import { invitationError } from './errors';
import type { AcceptorInput } from './public-schemas';

/** Where a join request stands: waiting for someone, or decided. */
export const JOIN_REQUEST_STATUSES = ['pending', 'approved', 'declined'] as const;
export type JoinRequestStatus = (typeof JOIN_REQUEST_STATUSES)[number];

/** A request to join through a link that requires approval, as the API shows it. */
export interface JoinRequest {
  readonly id: string;
  readonly invitationId: string;
  readonly status: JoinRequestStatus;
  /** The member key an approval admits, e.g. `email:ann@example.com`. */
  readonly member: string;
  readonly acceptor: AcceptorInput;
  /** Where the decision is mailed; null when the requester gave no address. */
  readonly email: string | null;
  readonly reason: string | null;
  /** The membership an approval granted. */
  readonly membershipId: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function toJoinRequest(row: JoinRequestRow): JoinRequest {
  return {
    id: row.id,
    invitationId: row.invitation_id,
    status: row.status as JoinRequestStatus,
    member: row.member_key,
    acceptor: parseJson<AcceptorInput>(row.acceptor, {}),
    email: row.email,
    reason: row.reason,
    membershipId: row.membership_id,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The member's latest request on this invitation, or null: the same person asking twice gets it back. */
export async function findLatestJoinRequest(
  db: Db,
  of: { readonly tenantId: string; readonly invitationId: string; readonly memberKey: string },
): Promise<JoinRequestRow | null> {
  const row = await db
    .selectFrom('join_requests')
    .selectAll()
    .where('invitation_id', '=', of.invitationId)
    .where('member_key', '=', of.memberKey)
    .where('tenant_id', '=', of.tenantId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ?? null;
}

/** Stores a new pending request, in the caller's transaction. */
export async function insertJoinRequest(
  db: Db,
  input: {
    readonly tenantId: string;
    readonly invitationId: string;
    readonly memberKey: string;
    readonly acceptor: AcceptorInput;
    readonly email: string | null;
  },
  now: Date,
): Promise<JoinRequestRow> {
  const at = isoTime(now);
  const row: JoinRequestRow = {
    id: newId(now.getTime()),
    tenant_id: input.tenantId,
    invitation_id: input.invitationId,
    member_key: input.memberKey,
    acceptor: JSON.stringify(input.acceptor),
    email: input.email,
    status: 'pending',
    reason: null,
    membership_id: null,
    decided_by: null,
    decided_at: null,
    created_at: at,
    updated_at: at,
  };
  await insertRow(db, 'join_requests', row);
  return row;
}

/** The tenant's request by id; another tenant's, or none, is a 404. */
export async function getJoinRequestRow(db: Db, tenantId: string, id: string): Promise<JoinRequestRow> {
  const row = await db
    .selectFrom('join_requests')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw invitationError('join_request_not_found', `no join request ${id} in this tenant`, 'path.id');
  return row;
}

/** Records a decision on a pending request, in the transaction that holds its invitation locked. */
export async function storeDecision(
  db: Db,
  row: JoinRequestRow,
  decision: {
    readonly status: 'approved' | 'declined';
    readonly reason: string | null;
    readonly membershipId: string | null;
    readonly decidedBy: string;
  },
  now: Date,
): Promise<JoinRequestRow> {
  const at = isoTime(now);
  const set = {
    status: decision.status,
    reason: decision.reason,
    membership_id: decision.membershipId,
    decided_by: decision.decidedBy,
    decided_at: at,
    updated_at: at,
  };
  await db
    .updateTable('join_requests')
    .set(set)
    .where('tenant_id', '=', row.tenant_id)
    .where('id', '=', row.id)
    .execute();
  return { ...row, ...set };
}

/** Which requests to list: all by default, newest first. */
export interface JoinRequestFilter {
  readonly status?: JoinRequestStatus;
  readonly invitationId?: string;
  readonly cursor: Cursor | null;
  readonly limit: number;
}

/** A page of the tenant's requests, newest first. */
export async function listJoinRequests(
  db: Db,
  tenantId: string,
  filter: JoinRequestFilter,
): Promise<Page<JoinRequest>> {
  let query = db.selectFrom('join_requests').selectAll().where('tenant_id', '=', tenantId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.invitationId) query = query.where('invitation_id', '=', filter.invitationId);
  const rows = await keysetPage(query, 'created_at', 'desc', filter.cursor, filter.limit).execute();
  return toPage(rows, filter.limit, 'created_at', toJoinRequest);
}
