import {
  columnParams,
  definedColumns,
  preparedQuery,
  preparedShapes,
  startAhead,
  type Db,
  type InvitationRow,
} from '#db';
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

/** The version-checked update, prepared once for each set of columns it changes ($-names are not columns). */
const versionedUpdate = preparedShapes((shape) =>
  preparedQuery((db, p: Record<string, unknown> & { $id: string; $version: number }) =>
    db
      .updateTable('invitations')
      .set(columnParams(p, shape.split(' ')))
      .where('id', '=', p.$id)
      .where('version', '=', p.$version)
      .returningAll(),
  ),
);

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
 * As `commitTransition`, with `work` done once the change is stored and before its events are written:
 * the events carry the data it returns, and the caller receives its value. `work` is handed the row as the update
 * leaves it; the update's own answer is awaited after `work`, so on PostgreSQL the update goes ahead with work's
 * first statement (an accept's membership) instead of a round trip of its own (bench: an accept's four writes to
 * the socket become three). Statements of a transaction run in the order they are sent on both engines, so work's
 * come after the update; if the update found the row changed, the transaction fails with `concurrent_update` and
 * what work wrote goes with it.
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
  const update = versionedUpdate(definedColumns(set).join(' '));
  const params = { ...set, $id: row.id, $version: row.version };
  // Without work, nothing would carry the update: it is sent now.
  const stored = work
    ? startAhead(trx, (early) => update.executeTakeFirst(early, params))
    : update.executeTakeFirst(trx, params);
  const { data, value } = work ? await work({ ...row, ...set }) : { data: context.data ?? {}, value: undefined as T };
  const updated = await stored;
  if (!updated) throw invitationError('concurrent_update');
  await writeEvents(trx, updated, change, context.actor, data, context.now, context.sink);
  return { row: updated, transition: change, value };
}
