import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import { commitTransition } from './commit-transition';
import type { EventSink } from './events';
import { transition } from './lifecycle';
import { lockInvitationRow } from './queries';
import { lifecycleState } from './record';

/** What `createRecipientActorRecorder` needs: the store, the clock and the sink every transition writes to. */
export interface RecipientActorDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly sink: EventSink;
}

/**
 * Returns `recordRecipientActor(tenantId, id, actorIri)`, for an invitation addressed to a
 * `@user@host` handle once WebFinger has resolved it: from then on the invitee's answer is checked
 * against that IRI. Stored as an update, in one transaction: version bumped, an
 * `invitation.updated` event by the system with fields ["recipient"], handed to the sink. Does
 * nothing when the invitation is gone, already names an actor, or is closed (the lifecycle allows
 * no update then, and no answer is left to check).
 */
export function createRecipientActorRecorder({ db, engine, clock, sink }: RecipientActorDeps) {
  return (tenantId: string, id: string, actorIri: string): Promise<void> =>
    db.transaction().execute(async (trx) => {
      const row = await lockInvitationRow(trx, engine, { tenantId, id });
      const now = clock.now();
      if (!row || row.recipient_actor !== null || !transition(lifecycleState(row), 'update', now).ok) return;
      const set = { recipient_actor: actorIri };
      const data = { fields: ['recipient'] };
      await commitTransition(trx, row, 'update', { now, actor: { kind: 'system' }, sink, set, data });
    });
}
