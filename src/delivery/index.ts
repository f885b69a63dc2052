/** Delivery: the outbox, its worker and retry policy, email and webhooks. */
export { createDelivery, type DeliveryDeps, type OutboxPort } from './delivery';
export type { ChannelPlugin } from './channel-plugin';
export { createAuditWebhookSink } from './audit-sink';
export { createDeliveryRoutes } from './routes';
export type { DidcommOutboxPayload } from './didcomm-handler';
export type { OutboxItem, OutboxTopic } from './outbox';

export { createMailboxMailer } from './email/mailbox-mailer';
export { createSmtpMailer } from './email/smtp-mailer';
export type { Mailer, MailMessage, MailResult } from './email/mailer';
export { createRetryPolicy, type RetryPolicy } from './retry-policy';
export type { DeliveryHandler, OutboxWorker } from './worker';
export { DEFAULT_CONCURRENCY } from './worker';
export type { WebhookPinger } from './webhooks/ping';
export {
  countRetrying,
  getDelivery,
  listDeliveries,
  retryDelivery,
  deliverySummary,
  type Delivery,
} from './deliveries';
export { pruneDelivered, type DeliveryPruned } from './retention';
export { countAttemptsByOutcome, countWaitingByTopic, oldestDueByTopic } from './gauges';
export { findMailboxMessage, listMailbox, type MailboxMessage } from './email/mailbox-mailer';
export { createWebhookRoutes, postWebhook, refusedAddressReason } from './webhooks/index';
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
