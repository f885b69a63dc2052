/** Mediators Usher is a recipient of (RFC 0211): the domain shape and the queries every step uses. */
import type { Db, DidcommMediatorRow } from '#db';
import { newId } from '#common/ids';
import { isoTime, parseJson } from '#common/json';
import { didcommError } from './errors';
import { keyCounts } from './mediated-keys';
import { newMessageId } from './messages';

/** connecting: the handshake with the mediator runs; requested: mediate-request sent; then granted or denied. */
export const MEDIATOR_STATES = ['connecting', 'requested', 'granted', 'denied'] as const;
export type MediatorState = (typeof MEDIATOR_STATES)[number];

/** A mediator as the API shows it. */
export interface Mediator {
  readonly id: string;
  readonly connectionId: string;
  readonly state: MediatorState;
  /** From the grant: the endpoint others now send to. */
  readonly endpoint: string | null;
  /** From the grant: base58 verkeys others wrap forwards to. */
  readonly routingKeys: string[];
  /** Our keys by their state with the mediator. */
  readonly keys: { readonly requested: number; readonly registered: number; readonly refused: number };
  readonly lastPickupAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Maps a stored row, with its key counts, to what the API shows. */
export async function toMediator(db: Db, row: DidcommMediatorRow): Promise<Mediator> {
  return {
    id: row.id,
    connectionId: row.connection_id,
    state: row.state as MediatorState,
    endpoint: row.endpoint,
    routingKeys: parseJson<string[]>(row.routing_keys, []),
    keys: await keyCounts(db, row.id),
    lastPickupAt: row.last_pickup_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Stores a mediator for a connection being made; its mediate-request's @id is chosen now. */
export async function insertMediator(
  db: Db,
  fields: { tenantId: string; connectionId: string },
  now: Date,
): Promise<DidcommMediatorRow> {
  const row: DidcommMediatorRow = {
    id: newId(now.getTime()),
    tenant_id: fields.tenantId,
    connection_id: fields.connectionId,
    state: 'connecting',
    thread_id: newMessageId(),
    endpoint: null,
    routing_keys: null,
    last_pickup_at: null,
    created_at: isoTime(now),
    updated_at: isoTime(now),
  };
  await db.insertInto('didcomm_mediators').values(row).execute();
  return row;
}

/** One mediator of the tenant; throws mediator_not_found. */
export async function getMediatorRow(db: Db, tenantId: string, id: string): Promise<DidcommMediatorRow> {
  const row = await db
    .selectFrom('didcomm_mediators')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw didcommError('mediator_not_found', `no mediator ${id} in this tenant`, 'path.id');
  return row;
}

/** The mediator a connection leads to, or null for an ordinary connection. */
export async function findMediatorOfConnection(db: Db, connectionId: string): Promise<DidcommMediatorRow | null> {
  return (
    (await db
      .selectFrom('didcomm_mediators')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .executeTakeFirst()) ?? null
  );
}

/** The tenant's mediator for new invitations and connections: the one granted last, or null. */
export async function findGrantedMediator(db: Db, tenantId: string): Promise<DidcommMediatorRow | null> {
  const row = await db
    .selectFrom('didcomm_mediators')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'granted')
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/** The tenant's mediators, newest first (a tenant has few). */
export async function listMediatorRows(db: Db, tenantId: string): Promise<DidcommMediatorRow[]> {
  return db
    .selectFrom('didcomm_mediators')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
}

/** Every granted mediator on the server, for the background pickup (it runs per mediator, in the mediator's tenant). */
export async function listGrantedMediators(db: Db): Promise<DidcommMediatorRow[]> {
  return db.selectFrom('didcomm_mediators').selectAll().where('state', '=', 'granted').orderBy('id').execute();
}

/** Moves a mediator on if it is still in one of `from`; returns the row after, or null when it had moved. */
export async function advanceMediator(
  db: Db,
  row: DidcommMediatorRow,
  from: readonly MediatorState[],
  set: Partial<DidcommMediatorRow>,
  now: Date,
): Promise<DidcommMediatorRow | null> {
  const updated = await db
    .updateTable('didcomm_mediators')
    .set({ ...set, updated_at: isoTime(now) })
    .where('id', '=', row.id)
    .where('state', 'in', [...from])
    .returningAll()
    .executeTakeFirst();
  return updated ?? null;
}
