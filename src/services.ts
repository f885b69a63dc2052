import type { Kysely } from 'kysely';
import { ShortMemory, type Database, type Engine } from '#db';
import type { Clock } from '#common/clock';
import {
  createDelivery,
  type ChannelPlugin,
  type DeliveryDeps,
  type DeliveryHandler,
  type Mailer,
  type RetryPolicy,
} from '#delivery';
import { createChannelRegistry, createInvitationService, linkChannel } from '#invitations';
import { createDidcommService, didcommChannel, verifyDidProof } from '#didcomm';
import { createActivityPub } from '#activitypub';
import { createProviders } from '#providers';
import { createMetrics, type AdmissionCounts } from '#observability';
import { createAuditTrail } from '#audit';
import { createRetention } from './retention';

/** What the services need from the process: the store, the clock, where the server is, how mail leaves. */
export interface ServiceDeps {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly version: string;
  /** Where email goes: SMTP, or the local mailbox when none is configured. */
  readonly mailer: Mailer;
  /** The From address of invitation emails. */
  readonly fromAddress: string;
  /** Lets webhooks, federation and redirect URLs reach loopback and private addresses (tests, local setups). */
  readonly allowPrivateNetwork: boolean;
  readonly retryPolicy?: RetryPolicy;
  readonly worker?: DeliveryDeps['worker'];
  /** Logs a failure the caller cannot see (an inbox listener's, say). */
  readonly logError: (error: unknown, context?: { readonly requestId?: string }) => void;
  /** The server secret invitation links are derived from; a copy of the database without it opens nothing. */
  readonly linkSecret: string;
  /**
   * How long keys, inviters, signing keys and webhook endpoints read are believed without reading them again
   * (CONFIG_CACHE_MS if unset; 0: never).
   */
  readonly configCacheMs?: number;
  /** The server's admission (`http/admission.ts`), which `/metrics` reports on; none in-process. */
  readonly admission?: AdmissionCounts;
}

/** Channels beyond the built-in five, each registered like them: for deployments and tests that add one. */
export interface ServiceOptions {
  readonly extraChannels?: (ports: ChannelPorts) => readonly ChannelPlugin[];
}

/** What a channel's outbound half may use: the store-level ports built before any channel. */
export type ChannelPorts = ServiceDeps & { readonly outbox: ReturnType<typeof createDelivery>['outbox'] };

export type Services = ReturnType<typeof composeServices>;

/**
 * The composition root: every service, built once, in the order their dependencies allow.
 * 1. store-level ports (the outbox, delivery's sink, metrics); 2. the outbound half of each
 * channel; 3. the invitation service over the registered channels; 4. the inbound halves that
 * call it (ActivityPub's inboxes, DIDComm's endpoint); 5. the outbox worker with every channel's
 * handlers. The only back-reference is the outbox's commit signal, which the worker listens to.
 * Does no I/O: nothing runs until a request arrives or the worker starts.
 */
export function composeServices(deps: ServiceDeps, options: ServiceOptions = {}) {
  const { db, clock } = deps;
  // 1. Store-level ports.
  const memory = new ShortMemory(deps.configCacheMs);
  const delivery = createDelivery({ ...deps, memory });
  const ports: ChannelPorts = { ...deps, outbox: delivery.outbox };
  const metrics = createMetrics(db, clock, deps.admission);
  const audit = createAuditTrail({ clock, sink: delivery.auditSink });

  // 2. The outbound half of each channel, registered one line each.
  const didcommEndpoint = `${deps.publicUrl}/didcomm`;
  const activityPub = createActivityPub(ports);
  const providers = createProviders({ ...ports, audit });
  const channels: readonly ChannelPlugin[] = [
    delivery.emailChannel,
    { definition: linkChannel },
    { definition: didcommChannel({ endpoint: didcommEndpoint, outbox: delivery.outbox }) },
    activityPub.channel,
    providers.channel,
    ...(options.extraChannels?.(ports) ?? []),
  ];

  // 3. The invitation service.
  const invitations = createInvitationService({
    ...deps,
    memory,
    sink: delivery.sink,
    mail: delivery.outbox,
    audit,
    channels: createChannelRegistry(channels.map((channel) => channel.definition)),
    allowHttpPages: deps.allowPrivateNetwork,
    verifyDidProof,
  });

  // 4. The inbound halves, which answer through the invitation service.
  const federation = activityPub.connect(invitations);
  const didcomm = createDidcommService({
    db,
    clock,
    endpoint: didcommEndpoint,
    invitations,
    outbox: delivery.outbox,
    allowPrivateNetwork: deps.allowPrivateNetwork,
  });

  // 5. The worker, with every channel's outbox topics.
  const handlers: Record<string, DeliveryHandler> = {};
  for (const channel of channels) {
    for (const [topic, handler] of Object.entries(channel.handlers?.(invitations) ?? {})) {
      if (handlers[topic]) throw new Error(`outbox topic ${topic} has two handlers`);
      handlers[topic] = handler;
    }
  }
  const worker = delivery.createWorker(handlers);

  return {
    invitations,
    memory,
    audit,
    didcomm,
    worker,
    metrics,
    federation,
    activityPubRoutes: activityPub.routes,
    providerRoutes: providers.routes,
    pinger: delivery.pinger,
    deliveryState: delivery.deliveryState,
    /** Deletes what delivery and DIDComm finished more than `retentionDays` ago (0: never); main's sweep calls it. */
    pruneRetained: createRetention({ db, engine: deps.engine, metrics }),
  };
}
