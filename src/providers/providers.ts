import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import type { ChannelPlugin } from '#delivery';
import type { AuditTrail } from '#audit';
import { createProviderAdapter, PROVIDER_TOPIC, type ProviderOutbox } from './channel';
import { createProviderAccountRoutes } from './routes';
import { createProviderSender } from './sender';
import { createProviderAccountService } from './service';
import { createProviderSink, WITHDRAW_TOPIC } from './sink';
import { createProviderWithdrawer } from './withdrawer';
import type { UnipileConnectorOptions } from './unipile-connector';

/** What the providers capability needs; `random` (jitter) and `connector` (retry timing) are for tests. */
export interface ProvidersOptions {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly allowPrivateNetwork: boolean;
  readonly outbox: ProviderOutbox;
  readonly random?: () => number;
  readonly connector?: Partial<UnipileConnectorOptions>;
  /** Where the routes record accounts connected and disconnected, as made by the calling key. */
  readonly audit: AuditTrail;
}

/**
 * The providers capability: the provider channel (sends paced through the outbox; to identities
 * of this server at once), its two outbox topics, and the provider accounts' routes.
 */
export function createProviders(options: ProvidersOptions) {
  const accounts = createProviderAccountService(options);
  const channel: ChannelPlugin = {
    definition: {
      name: 'provider',
      summary:
        "through a social network's API (a Unipile-compatible connector), or to an identity of this server (provider usher).",
      adapter: createProviderAdapter({
        engine: options.engine,
        outbox: options.outbox,
        ...(options.random ? { random: options.random } : {}),
      }),
      // Withdraws, on revoke, what a provider already has; cancels what still waits.
      sink: createProviderSink(options.outbox),
    },
    handlers: (invitations) => ({
      [PROVIDER_TOPIC]: createProviderSender(options),
      [WITHDRAW_TOPIC]: createProviderWithdrawer({ ...options, invitations }),
    }),
  };
  return { accounts, channel, routes: createProviderAccountRoutes(accounts, options.audit) };
}
