/** Stored DIDComm connections: the domain shape, and the queries every handshake step and route uses. */
import type { Db, DidcommConnectionRow } from '#db';
import { keysetPage, toPage } from '#db/keyset';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import type { Cursor, Page } from '#http/pagination';
import { didcommError } from './errors';
import type { HeldKey } from './keys';
import type { HandshakeProtocol } from './messages';

/** RFC 0023 §States, shared by Connections 1.0 here. */
export const CONNECTION_STATES = ['request-sent', 'response-sent', 'completed', 'abandoned'] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number];
export type ConnectionRole = 'inviter' | 'invitee';

/** A connection as the API shows it. Never carries a key. */
export interface Connection {
  readonly id: string;
  readonly identityId: string;
  readonly invitationId: string | null;
  readonly contactId: string | null;
  readonly role: ConnectionRole;
  readonly protocol: HandshakeProtocol;
  readonly state: ConnectionState;
  readonly theirDid: string | null;
  readonly theirLabel: string | null;
  /** Our own name for it. */
  readonly alias: string | null;
  readonly ourDid: string;
  readonly threadId: string;
  /** The out-of-band invitation's @id the handshake answered. */
  readonly invitationMessageId: string | null;
  /** The problem report that abandoned it. */
  readonly error: { readonly code: string; readonly explain: string } | null;
  readonly lastPingAt: string | null;
  readonly lastPingResponseAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Maps a stored row to what the API shows. */
export function toConnection(row: DidcommConnectionRow): Connection {
  return {
    id: row.id,
    identityId: row.identity_id,
    invitationId: row.invitation_id,
    contactId: row.contact_id,
    role: row.role as ConnectionRole,
    protocol: row.protocol as HandshakeProtocol,
    state: row.state as ConnectionState,
    theirDid: row.their_did,
    theirLabel: row.their_label,
    alias: row.alias,
    ourDid: row.our_did,
    threadId: row.thread_id,
    invitationMessageId: row.parent_thread_id,
    error: parseJson(row.error, null),
    lastPingAt: row.last_ping_at,
    lastPingResponseAt: row.last_ping_response_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** What a handshake knows when it starts a connection; the rest starts empty. */
export type NewConnection = Pick<
  DidcommConnectionRow,
  | 'tenant_id'
  | 'identity_id'
  | 'invitation_id'
  | 'contact_id'
  | 'role'
  | 'protocol'
  | 'state'
  | 'thread_id'
  | 'parent_thread_id'
  | 'our_did'
  | 'our_verkey'
  | 'their_label'
  | 'alias'
  | 'invitation_key'
> &
  Partial<Pick<DidcommConnectionRow, 'their_did' | 'their_did_doc' | 'their_verkey'>>;

/** Stores a new connection and binds our key to it, so envelopes to that key find it. */
export async function insertConnection(db: Db, fields: NewConnection, now: Date): Promise<DidcommConnectionRow> {
  const row: DidcommConnectionRow = {
    id: newId(now.getTime()),
    their_did: null,
    their_did_doc: null,
    their_verkey: null,
    error: null,
    last_ping_at: null,
    last_ping_response_at: null,
    version: 0,
    created_at: isoTime(now),
    updated_at: isoTime(now),
    ...fields,
  };
  await db.insertInto('didcomm_connections').values(row).execute();
  await db.updateTable('didcomm_keys').set({ connection_id: row.id }).where('verkey', '=', row.our_verkey).execute();
  return row;
}

/** The connection a key belongs to; a message on an invitation key that is not a request has nothing to answer. */
export async function connectionOfKey(context: { readonly db: Db }, key: HeldKey): Promise<DidcommConnectionRow> {
  if (!key.connectionId)
    throw didcommError(
      'thread_unknown',
      'This message belongs on a connection, and the key it was sent to is an invitation key',
    );
  return getConnectionRow(context.db, key.tenantId, key.connectionId);
}

/** One connection of the tenant; throws connection_not_found. */
export async function getConnectionRow(db: Db, tenantId: string, id: string): Promise<DidcommConnectionRow> {
  const row = await db
    .selectFrom('didcomm_connections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw didcommError('connection_not_found', `no connection ${id} in this tenant`, 'path.id');
  return row;
}

/** The connection of a handshake thread, by our role in it, or null. */
export async function findByThread(
  db: Db,
  tenantId: string,
  role: ConnectionRole,
  threadId: string,
): Promise<DidcommConnectionRow | null> {
  const row = await db
    .selectFrom('didcomm_connections')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('role', '=', role)
    .where('thread_id', '=', threadId)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Moves a connection on, if it is still in one of `from`: the condition makes a replayed or
 * concurrent message a no-op instead of a second transition. Returns the row after, or null.
 */
export async function advanceConnection(
  db: Db,
  row: DidcommConnectionRow,
  from: readonly ConnectionState[],
  set: Partial<DidcommConnectionRow>,
  now: Date,
): Promise<DidcommConnectionRow | null> {
  const updated = await db
    .updateTable('didcomm_connections')
    .set({ ...set, version: row.version + 1, updated_at: isoTime(now) })
    .where('id', '=', row.id)
    .where('version', '=', row.version)
    .where('state', 'in', [...from])
    .returningAll()
    .executeTakeFirst();
  return updated ?? null;
}

/** Filters and paging for listing connections. */
export interface ConnectionQuery {
  readonly state?: ConnectionState;
  readonly role?: ConnectionRole;
  readonly invitationId?: string;
  readonly identityId?: string;
  readonly limit?: number;
  readonly cursor?: Cursor | null;
}

/** The tenant's connections, newest first. */
export async function listConnections(db: Db, tenantId: string, query: ConnectionQuery): Promise<Page<Connection>> {
  const limit = query.limit ?? 50;
  let q = db.selectFrom('didcomm_connections').selectAll().where('tenant_id', '=', tenantId);
  if (query.state) q = q.where('state', '=', query.state);
  if (query.role) q = q.where('role', '=', query.role);
  if (query.invitationId) q = q.where('invitation_id', '=', query.invitationId);
  if (query.identityId) q = q.where('identity_id', '=', query.identityId);
  const rows = await keysetPage(q, 'created_at', 'desc', query.cursor ?? null, limit).execute();
  return toPage(rows, limit, 'created_at', toConnection);
}

/** Deletes a connection and the key it held; the invitation and its redemption stay as history. */
export async function deleteConnection(db: Db, tenantId: string, id: string): Promise<void> {
  const row = await getConnectionRow(db, tenantId, id);
  // What still waited for them goes too: nothing could be sent from the key, or to a connection that is gone.
  await db
    .deleteFrom('didcomm_held_messages')
    .where('tenant_id', '=', tenantId)
    .where('connection_id', '=', id)
    .execute();
  await db.deleteFrom('didcomm_keys').where('tenant_id', '=', tenantId).where('verkey', '=', row.our_verkey).execute();
  await db.deleteFrom('didcomm_connections').where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
