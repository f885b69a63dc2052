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

/**
 * Asks the lifecycle whether `action` may happen to `row`, then stores the result with its
 * events. The update is conditional on the row's version, so a change decided on a stale read
 * can never be written. A refusal throws the lifecycle's code and writes nothing.
 */
export async function commitTransition(
  trx: Db,
  row: InvitationRow,
  action: LifecycleAction,
  context: {
    now: Date;
    actor: Actor;
    sink: EventSink;
    set?: Partial<InvitationRow>;
    /** Event data, or work to do once the change is stored whose result is the event data. */
    data?: Record<string, unknown> | ((updated: InvitationRow) => Promise<Record<string, unknown>>);
  },
): Promise<Committed> {
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
  const updated = await versionedUpdate(definedColumns(set).join(' ')).executeTakeFirst(trx, { ...set, $id: row.id, $version: row.version });
  if (!updated) throw invitationError('concurrent_update');
  const data = typeof context.data === 'function' ? await context.data(updated) : (context.data ?? {});
  await writeEvents(trx, updated, change, context.actor, data, context.now, context.sink);
  return { row: updated, transition: change };
}
