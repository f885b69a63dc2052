import type { Kysely } from 'kysely';
import { afterCommit, type Database, type Db, type Engine, type ShortMemory } from '#db';
import type { Clock } from '#common/clock';
import { createSignal } from '#common/signal';
import type { ChannelPlugin } from './channel-plugin';
import { createDidcommHandler } from './didcomm-handler';
import { emailChannelDefinition } from './email/channel';
import { createCodeHandler } from './email/code-handler';
import { createEmailHandler } from './email/email-handler';
import { createJoinRequestMailHandler } from './email/join-request-handler';
import type { Mailer } from './email/mailer';
import { createDeliverySink } from './event-sink';
import { createAuditWebhookSink } from './audit-sink';
import { cancelPending, enqueue, type OutboxItem, type OutboxTopic } from './outbox';
import { deliverySummary, listDeliveries } from './deliveries';
import { createRetryPolicy, type RetryPolicy } from './retry-policy';
import { createWebhookHandler } from './webhooks/webhook-handler';
import { createWebhookPinger } from './webhooks/ping';
import { createOutboxWorker, type DeliveryHandler, type OutboxWorker, type OutboxWorkerOptions } from './worker';

/** The outbox as other capabilities write to it: rows in their transaction, a nudge to the worker once it commits. */
export interface OutboxPort {
  /** Writes rows in the caller's transaction, and wakes the worker once that transaction has committed. */
  enqueue(trx: Db, items: readonly OutboxItem[], now: Date): Promise<unknown>;
  /** Skips an invitation's rows of `topic` that no worker has claimed yet; resolves with how many. */
  cancel(
    trx: Db,
    of: { readonly invitationId: string; readonly topic: OutboxTopic },
    reason: string,
    now: Date,
  ): Promise<number>;
  /** Wakes the worker now: for rows committed some other way. */
  wake(): void;
}

/** The worker's options an app may set. */
type WorkerSettings = 'batchSize' | 'concurrency' | 'leaseMs' | 'pollIntervalMs' | 'workerId' | 'onError' | 'onWarn';

export interface DeliveryDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly mailer: Mailer;
  readonly fromAddress: string;
  readonly allowPrivateNetwork: boolean;
  readonly retryPolicy?: RetryPolicy;
  readonly worker?: Partial<Pick<OutboxWorkerOptions, WorkerSettings>>;
  /** The server secret invitation links are derived from: an email carries the invitation's one live link. */
  readonly linkSecret: string;
  /** Where a tenant's webhook endpoints are remembered between events. */
  readonly memory: ShortMemory;
}

/**
 * Delivery's ports, built first in the composition root: the outbox other capabilities write to,
 * the sink invitations' events go to (email and webhooks), the email channel, and the webhook
 * pinger. The worker comes last (`createWorker`), once every channel's handlers exist; rows
 * committed before then wait for it, as they would for a worker in another process.
 */
export function createDelivery(deps: DeliveryDeps) {
  const committed = createSignal();
  // Woken before the COMMIT, the worker would find nothing and sleep a poll interval: every email waited that long.
  const wakeOnCommit = (trx: Db) => afterCommit(trx, () => committed.notify());
  const sink = createDeliverySink({ onEnqueued: wakeOnCommit, memory: deps.memory });
  const webhook = createWebhookHandler(deps);
  const outbox: OutboxPort = {
    enqueue: async (trx, items, now) => {
      const ids = await enqueue(trx, items, now);
      await wakeOnCommit(trx);
      return ids;
    },
    cancel: (trx, of, reason, now) => cancelPending(trx, of, reason, now),
    wake: () => committed.notify(),
  };
  const emailChannel: ChannelPlugin = {
    definition: emailChannelDefinition,
    handlers: () => {
      const email = createEmailHandler({ ...deps, sink });
      return {
        'email.invitation': email,
        'email.reminder': email,
        'email.code': createCodeHandler(deps),
        'email.join_request': createJoinRequestMailHandler(deps),
      };
    },
  };
  return {
    sink,
    /** Audit entries as `audit.recorded` webhooks, enqueued with the entry. */
    auditSink: createAuditWebhookSink({ onEnqueued: wakeOnCommit }),
    outbox,
    emailChannel,
    pinger: createWebhookPinger({ db: deps.db, clock: deps.clock, handler: webhook }),
    /** Per channel, where an invitation's latest message stands. */
    deliveryState: async (tenantId: string, invitationId: string) =>
      deliverySummary(await listDeliveries(deps.db, tenantId, { invitationId })),
    /** The outbox worker, for webhooks, DIDComm messages and the registered channels' topics. */
    createWorker(channelHandlers: Readonly<Record<string, DeliveryHandler>>): OutboxWorker {
      const worker = createOutboxWorker({
        db: deps.db,
        engine: deps.engine,
        clock: deps.clock,
        handlers: { webhook, 'didcomm.message': createDidcommHandler(deps), ...channelHandlers },
        retryPolicy: deps.retryPolicy ?? createRetryPolicy(),
        ...deps.worker,
      });
      committed.listen(() => worker.wake());
      return worker;
    },
  };
}
