/**
 * Usher as the recipient of a mediator (Aries RFC 0211 coordinate-mediation 1.0): connect to the
 * mediator, ask for mediation once the connection completes, keep the grant's endpoint and routing
 * keys, and register each new key with keylist-update before anything sent from it may leave.
 */
import type { Db, DidcommConnectionRow } from '#db';
import { connectionOfKey, getConnectionRow, toConnection, type Connection } from './connections';
import { didKeyToVerkey, verkeyToDidKey } from './dids';
import { decodeBase58 } from './encoding';
import type { UnpackedMessage } from './envelope';
import { didcommError } from './errors';
import type { HeldKey } from './keys';
import { insertRequestedKeys, settleKey } from './mediated-keys';
import { advanceMediator, findMediatorOfConnection } from './mediators';
import { MessageTypes, newMessageId, threadId, type Message } from './messages';
import { releaseAwaiting, type DidcommContext } from './outbound';
import type { Routing } from './routing';
import { sendOnConnection } from './trust-ping';

/**
 * Called in the transaction that completes a connection we requested: a mediator's connection asks for mediation now
 * (RFC 0211 §mediate-request).
 */
export async function onConnectionCompleted(
  trx: Db,
  context: DidcommContext,
  connection: DidcommConnectionRow,
  now: Date,
): Promise<void> {
  const mediator = await findMediatorOfConnection(trx, connection.id);
  if (!mediator || mediator.state !== 'connecting') return;
  await sendOnConnection(
    trx,
    context,
    connection,
    { '@type': MessageTypes.mediateRequest, '@id': mediator.thread_id },
    now,
  );
  await advanceMediator(trx, mediator, ['connecting'], { state: 'requested' }, now);
}

/**
 * Asks the routing's mediator to route `verkeys` to us (keylist-update, action add), in `trx`;
 * until it confirms, what those keys send is held (see sendMessage). Nothing when direct.
 */
export async function registerKeys(
  trx: Db,
  context: Pick<DidcommContext, 'outbox'>,
  routing: Routing,
  tenantId: string,
  verkeys: readonly string[],
  now: Date,
): Promise<void> {
  if (!routing.mediatorId || verkeys.length === 0) return;
  const mediator = await trx
    .selectFrom('didcomm_mediators')
    .select('connection_id')
    .where('id', '=', routing.mediatorId)
    .executeTakeFirstOrThrow();
  const connection = await getConnectionRow(trx, tenantId, mediator.connection_id);
  await insertRequestedKeys(trx, { tenantId, mediatorId: routing.mediatorId }, verkeys, now);
  const update = {
    '@type': MessageTypes.keylistUpdate,
    '@id': newMessageId(),
    updates: verkeys.map((verkey) => ({ recipient_key: verkeyToDidKey(verkey), action: 'add' })),
  };
  await sendOnConnection(trx, context, connection, update, now);
}

/** RFC 0211 §mediate-grant: keep the endpoint and routing keys; new invitations and DIDs use them from now on. */
export async function handleGrant(
  context: DidcommContext,
  key: HeldKey,
  _unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection> {
  const { connection, mediator } = await mediatorOnThread(context, key, message);
  if (typeof message.endpoint !== 'string' || message.endpoint.length === 0 || message.endpoint.length > 2048) {
    throw didcommError('message_malformed', 'A mediate-grant has an endpoint', 'endpoint');
  }
  const routingKeys = readRoutingKeys(message.routing_keys);
  const granted = await advanceMediator(
    context.db,
    mediator,
    ['requested'],
    { state: 'granted', endpoint: message.endpoint, routing_keys: JSON.stringify(routingKeys) },
    context.clock.now(),
  );
  if (!granted) throw didcommError('thread_unknown', 'the mediator has already answered this request');
  return toConnection(connection);
}

/** RFC 0211 §mediate-deny. */
export async function handleDeny(
  context: DidcommContext,
  key: HeldKey,
  _unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection> {
  const { connection, mediator } = await mediatorOnThread(context, key, message);
  if (!(await advanceMediator(context.db, mediator, ['requested'], { state: 'denied' }, context.clock.now())))
    throw didcommError('thread_unknown', 'the mediator has already answered this request');
  return toConnection(connection);
}

/**
 * RFC 0211 §keylist-update-response: each key added (or already there) is registered, and what waited for it leaves.
 */
export async function handleKeylistUpdateResponse(
  context: DidcommContext,
  key: HeldKey,
  _unpacked: UnpackedMessage,
  message: Message,
): Promise<Connection> {
  const connection = await connectionOfKey(context, key);
  const mediator = await findMediatorOfConnection(context.db, connection.id);
  if (!mediator)
    throw didcommError('thread_unknown', 'a keylist-update-response on a connection that is not to a mediator');
  if (!Array.isArray(message.updated))
    throw didcommError('message_malformed', 'A keylist-update-response lists what it updated', 'updated');
  const now = context.clock.now();
  await context.db.transaction().execute(async (trx) => {
    for (const entry of message.updated as unknown[]) {
      const {
        recipient_key: recipientKey,
        action,
        result,
      } = (entry ?? {}) as { recipient_key?: unknown; action?: unknown; result?: unknown };
      if (typeof recipientKey !== 'string' || action !== 'add') continue;
      const verkey = readKey(recipientKey, 'updated.recipient_key');
      const registered = result === 'success' || result === 'no_change';
      if ((await settleKey(trx, mediator.id, verkey, registered, now)) && registered)
        await releaseAwaiting(trx, context, verkey, now);
    }
  });
  context.outbox.wake();
  return toConnection(connection);
}

async function mediatorOnThread(context: DidcommContext, key: HeldKey, message: Message) {
  const connection = await connectionOfKey(context, key);
  const mediator = await findMediatorOfConnection(context.db, connection.id);
  if (!mediator || threadId(message) !== mediator.thread_id)
    throw didcommError('thread_unknown', 'an answer to a mediate-request this connection did not send');
  return { connection, mediator };
}

function readRoutingKeys(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 10)
    throw didcommError('message_malformed', 'routing_keys is a list of keys', 'routing_keys');
  return value.map((entry) => readKey(entry, 'routing_keys'));
}

// RFC 0211 keys are base58 verkeys, or did:key since RFC 0360; both name an Ed25519 key.
function readKey(value: unknown, field: string): string {
  try {
    if (typeof value === 'string' && value.startsWith('did:key:')) return didKeyToVerkey(value);
    if (typeof value === 'string' && decodeBase58(value).length === 32) return value;
  } catch {
    // falls through to the refusal
  }
  throw didcommError('message_malformed', `${field} holds a key that is not an Ed25519 did:key or verkey`, field);
}
