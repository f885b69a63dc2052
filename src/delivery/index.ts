/** Delivery: the outbox, its worker and retry policy, email and webhooks. */
import type { Kysely } from 'kysely';
import { afterCommit, type Database, type Db, type Engine } from '#db';
import type { Clock } from '#common/clock';
import { createDidcommHandler } from './didcomm-handler';
import { createEmailHandler } from './email/email-handler';
import type { Mailer } from './email/mailer';
import { createDeliverySink } from './event-sink';
import { cancelPending, enqueue, type OutboxItem, type OutboxTopic } from './outbox';
import { deliverySummary, listDeliveries } from './deliveries';
import { createRetryPolicy, type RetryPolicy } from './retry-policy';
import { createWebhookHandler } from './webhooks/webhook-handler';
import { createWebhookPinger } from './webhooks/ping';
import { createOutboxWorker, type DeliveryHandler, type OutboxWorker, type OutboxWorkerOptions } from './worker';

export { createDeliveryRoutes } from './routes';
export type { DidcommOutboxPayload } from './didcomm-handler';
export type { OutboxItem, OutboxTopic } from './outbox';

/** The outbox as other capabilities write to it: rows in their transaction, a nudge to the worker once it commits. */
export interface OutboxPort {
  /** Writes rows in the caller's transaction, and wakes the worker once that transaction has committed. */
  enqueue(trx: Db, items: readonly OutboxItem[], now: Date): Promise<unknown>;
  /** Skips an invitation's rows of `topic` that no worker has claimed yet; resolves with how many. */
  cancel(trx: Db, of: { readonly invitationId: string; readonly topic: OutboxTopic }, reason: string, now: Date): Promise<number>;
  /** Wakes the worker now: for rows committed some other way. */
  wake(): void;
}
export { createMailboxMailer } from './email/mailbox-mailer';
export { createSmtpMailer } from './email/smtp-mailer';
export type { Mailer, MailMessage, MailResult } from './email/mailer';
export { createRetryPolicy, type RetryPolicy } from './retry-policy';
export type { DeliveryHandler, OutboxWorker } from './worker';
export { DEFAULT_CONCURRENCY } from './worker';
export type { WebhookPinger } from './webhooks/ping';
export { countRetrying, getDelivery, listDeliveries, retryDelivery, deliverySummary, type Delivery } from './deliveries';
export { pruneDelivered, type DeliveryPruned } from './retention';
export { countAttemptsByOutcome, countWaitingByTopic, oldestDueByTopic } from './gauges';
export { findMailboxMessage, listMailbox, type MailboxMessage } from './email/mailbox-mailer';
export { createWebhookRoutes, postWebhook, refusedAddressReason } from './webhooks/index';
export { SUPPORTED_LOCALES, TemplateOverridesSchema } from './email/templates';
export {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listEndpoints,
  rotateEndpointSecret,
  updateEndpoint,
  WEBHOOK_EVENT_TYPES,
  type WebhookEndpoint,
  type WebhookEndpointWithSecret,
} from './webhooks/index';
export { CreateWebhookEndpointSchema } from './webhooks/schemas';

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
  /** Delivery of topics other capabilities own: ActivityPub's signed POSTs, invitations through providers. */
  readonly handlers?: { readonly 'activitypub.send'?: DeliveryHandler; readonly 'provider.invite'?: DeliveryHandler; readonly 'provider.withdraw'?: DeliveryHandler };
  /** The server secret invitation links are derived from: an email carries the invitation's one live link. */
  readonly linkSecret: string;
}

/** Wires the outbox: the sink invitations write into, the worker that drains it, and the webhook pinger. */
export function createDelivery(deps: DeliveryDeps) {
  const holder: { worker?: OutboxWorker } = {};
  // Woken before the COMMIT, the worker would find nothing and sleep a poll interval: every email waited that long.
  const wakeOnCommit = (trx: Db) => afterCommit(trx, () => holder.worker?.wake());
  const sink = createDeliverySink({ onEnqueued: wakeOnCommit });
  const email = createEmailHandler({ ...deps, sink });
  const webhook = createWebhookHandler(deps);
  const worker = createOutboxWorker({
    db: deps.db,
    engine: deps.engine,
    clock: deps.clock,
    handlers: {
      'email.invitation': email,
      'email.reminder': email,
      webhook,
      'didcomm.message': createDidcommHandler(deps),
      ...deps.handlers,
    },
    retryPolicy: deps.retryPolicy ?? createRetryPolicy(),
    ...deps.worker,
  });
  holder.worker = worker;
  return {
    sink,
    worker,
    pinger: createWebhookPinger({ db: deps.db, clock: deps.clock, handler: webhook }),
    /** Writes outbox rows in the caller's transaction, and wakes the worker once it commits. */
    outbox: {
      enqueue: async (trx: Db, items: readonly OutboxItem[], now: Date) => {
        const ids = await enqueue(trx, items, now);
        await wakeOnCommit(trx);
        return ids;
      },
      cancel: (trx: Db, of: { readonly invitationId: string; readonly topic: OutboxTopic }, reason: string, now: Date) => cancelPending(trx, of, reason, now),
      wake: () => worker.wake(),
    },
    /** Per channel, where an invitation's latest message stands. */
    deliveryState: async (tenantId: string, invitationId: string) => deliverySummary(await listDeliveries(deps.db, tenantId, { invitationId })),
  };
}
