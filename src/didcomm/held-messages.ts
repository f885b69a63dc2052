/**
 * Messages held for an agent Usher cannot post to: one without an HTTP endpoint, or one that asked
 * for its answers on its own request (RFC 0092). They are written in the step's transaction, like
 * the outbox, and handed over, oldest first, on the agent's next request that asks for a return route.
 */
import type { Kysely } from 'kysely';
import type { Database, Db, DidcommHeldMessageRow } from '#db';
import { deleteInBatches, type BatchOptions } from '#db/batches';
import { newId } from '#common/ids';
import { isoTime } from '#common/json';
import type { ReturnRoute } from './return-route';

/** A held message to store. */
export interface HeldMessage {
  readonly tenantId: string;
  readonly connectionId: string | null;
  readonly invitationId: string | null;
  readonly recipientKey: string;
  readonly threadId: string;
  readonly messageType: string;
  readonly envelope: string;
  /** Our sender key, when it waits for a mediator's confirmation before anything it sends may leave. */
  readonly awaitingKey: string | null;
  /** Where it goes once released; null when the recipient takes it on a return route. */
  readonly endpoint: string | null;
}

/** Stores a packed message for its recipient to take on its next return-route request. */
export async function holdMessage(trx: Db, held: HeldMessage, now: Date): Promise<void> {
  await trx
    .insertInto('didcomm_held_messages')
    .values({
      id: newId(now.getTime()),
      tenant_id: held.tenantId,
      connection_id: held.connectionId,
      invitation_id: held.invitationId,
      recipient_key: held.recipientKey,
      awaiting_key: held.awaitingKey,
      endpoint: held.endpoint,
      thread_id: held.threadId,
      message_type: held.messageType,
      envelope: held.envelope,
      created_at: isoTime(now),
    })
    .execute();
}

/**
 * Takes (deletes and returns) the oldest message held for the route, or null. Over HTTP one
 * response carries one message; the rest wait for the next request. The delete is the claim, so
 * two concurrent requests never take the same message.
 */
export async function takeHeldMessage(db: Db, tenantId: string, route: ReturnRoute): Promise<string | null> {
  for (let attempt = 0; attempt < 3; attempt++) {
    let query = db
      .selectFrom('didcomm_held_messages')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('recipient_key', '=', route.verkey)
      .where('endpoint', 'is', null)
      .where('awaiting_key', 'is', null);
    if (route.mode === 'thread') query = query.where('thread_id', '=', route.thread!);
    const oldest = await query.orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    if (!oldest) return null;
    const taken = await db
      .deleteFrom('didcomm_held_messages')
      .where('id', '=', oldest.id)
      .returning('envelope')
      .executeTakeFirst();
    if (taken) return taken.envelope;
  }
  return null;
}

/**
 * Ends the wait of every message that waited for `verkey` to be registered with a mediator: those
 * with an endpoint are taken (deleted and returned, for the outbox); the rest now wait for their recipient.
 */
export async function releaseHeld(db: Db, verkey: string): Promise<DidcommHeldMessageRow[]> {
  const posted = await db
    .deleteFrom('didcomm_held_messages')
    .where('awaiting_key', '=', verkey)
    .where('endpoint', 'is not', null)
    .returningAll()
    .execute();
  await db
    .updateTable('didcomm_held_messages')
    .set({ awaiting_key: null })
    .where('awaiting_key', '=', verkey)
    .execute();
  return posted;
}

/** How many messages wait for a connection's agent to pick them up. */
export async function countHeld(db: Db, connectionId: string): Promise<number> {
  const row = await db
    .selectFrom('didcomm_held_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Forgets messages held longer than `maxAgeMs`: an agent that has not come back for its answers in
 * that time (or a mediator that never confirmed the key a message waits for) is not coming. In
 * batches (`#db/batches`); returns how many were deleted.
 */
export async function pruneHeldMessages(
  db: Kysely<Database>,
  now: Date,
  maxAgeMs: number,
  options: BatchOptions = {},
): Promise<number> {
  const cutoff = isoTime(new Date(now.getTime() - maxAgeMs));
  return deleteInBatches(options, async (size) => {
    const old = db.selectFrom('didcomm_held_messages').select('id').where('created_at', '<', cutoff).limit(size);
    const deleted = await db.deleteFrom('didcomm_held_messages').where('id', 'in', old).executeTakeFirst();
    return Number(deleted.numDeletedRows);
  });
}
