import { columnParams, definedColumns, preparedQuery, preparedShapes, type Db, type InvitationRow } from '#db';
import { isoTime } from '#common/json';
import { invitationError } from './errors';
import { writeEvents, type Actor, type EventSink } from './events';
import { effectiveStatus, transition, type LifecycleAction, type Transition } from './lifecycle';
import { lifecycleState } from './record';

/** A committed change: the stored row after it and the transition that made it. */
export interface Committed {
  readonly row: InvitationRow;
  readonly transition: Transition;
}

type VersionedParams = Record<string, unknown> & { $id: string; $version: number };

/** The version-checked update of the columns in `shape` ($-names are not columns). */
const versioned = (db: Db, shape: string, p: VersionedParams) =>
  db
    .updateTable('invitations')
    .set(columnParams(p, shape.split(' ')))
    .where('id', '=', p.$id)
    .where('version', '=', p.$version);

/** Prepared once for each set of columns it changes, answering the row it stored. */
const versionedUpdate = preparedShapes((shape) =>
  preparedQuery((db, p: VersionedParams) => versioned(db, shape, p).returningAll()),
);

/** The same for a row the transaction holds locked, whose answer nobody waits for (see commitTransitionWith). */
const heldUpdate = preparedShapes((shape) => preparedQuery((db, p: VersionedParams) => versioned(db, shape, p)));

/** What a transition is told: when, by whom, where its events go, and the columns it changes besides the status. */
export interface TransitionContext {
  readonly now: Date;
  readonly actor: Actor;
  readonly sink: EventSink;
  readonly set?: Partial<InvitationRow>;
  /** The events' data. */
  readonly data?: Record<string, unknown>;
}

/** What work done in a transition gives back: its events' data, and a value for whoever asked for the work. */
export interface TransitionWork<T> {
  readonly data: Record<string, unknown>;
  readonly value: T;
}

/**
 * Asks the lifecycle whether `action` may happen to `row`, then stores the result with its
 * events. The update is conditional on the row's version, so a change decided on a stale read
 * can never be written. A refusal throws the lifecycle's code and writes nothing.
 */
export async function commitTransition(
  trx: Db,
  row: InvitationRow,
  action: LifecycleAction,
  context: TransitionContext,
): Promise<Committed> {
  return decideAndStore(trx, row, action, context, null);
}

/**
 * As `commitTransition`, with `work` done once the change is stored and before its events are written: the events
 * carry the data it returns, and the caller receives its value. For a row the caller holds locked in `trx` (every
 * accept does, through lockInvitationRow or the token's lock): the row cannot have moved since it was read, so the
 * update is not waited for. It is held (executeLater) and goes with work's first statement that needs an answer, or
 * with the COMMIT, merged with the writes held beside it (merged-writes.ts): an accept whose membership is known
 * sends its update, grant, redemption and event as one statement with its COMMIT. `work` is handed the row as the
 * update leaves it, which is what the transition stores. The update keeps its version condition all the same.
 */
export async function commitTransitionWith<T>(
  trx: Db,
  row: InvitationRow,
  action: LifecycleAction,
  context: Omit<TransitionContext, 'data'>,
  work: (updated: InvitationRow) => Promise<TransitionWork<T>>,
): Promise<Committed & { readonly value: T }> {
  return decideAndStore(trx, row, action, context, work);
}

async function decideAndStore<T>(
  trx: Db,
  row: InvitationRow,
  action: LifecycleAction,
  context: TransitionContext,
  work: ((updated: InvitationRow) => Promise<TransitionWork<T>>) | null,
): Promise<Committed & { readonly value: T }> {
  const result = transition(lifecycleState(row), action, context.now);
  if (!result.ok) {
    if (result.refusal !== 'invitation_not_pending') throw invitationError(result.refusal);
    const current = effectiveStatus(lifecycleState(row), context.now);
    throw invitationError(result.refusal, `the invitation is ${current}`, undefined, { invitationStatus: current });
  }
  const change = result.value;
  const set: Partial<InvitationRow> = {
    ...context.set,
    status: change.status,
    uses_count: change.usesCount,
    version: row.version + 1,
    updated_at: isoTime(context.now),
  };
  const shape = definedColumns(set).join(' ');
  const params = { ...set, $id: row.id, $version: row.version };
  if (work) {
    await heldUpdate(shape).executeLater(trx, params);
    const updated: InvitationRow = { ...row, ...set };
    const { data, value } = await work(updated);
    await writeEvents(trx, updated, change, context.actor, data, context.now, context.sink);
    return { row: updated, transition: change, value };
  }
  const updated = await versionedUpdate(shape).executeTakeFirst(trx, params);
  if (!updated) throw invitationError('concurrent_update');
  await writeEvents(trx, updated, change, context.actor, context.data ?? {}, context.now, context.sink);
  return { row: updated, transition: change, value: undefined as T };
}
