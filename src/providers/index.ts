/**
 * Providers: invitations through social networks' APIs (a Unipile-compatible connector), paced
 * by each account's limits through the outbox, and to identities of this server. The front door
 * of the capability, in the order `createApp` needs its parts (as ActivityPub's): the sender and
 * the withdrawer for the outbox, the channel and the sink for invitations, `attach` once the
 * invitation service exists, routes.
 */
import type { Kysely } from 'kysely';
import type { Database, Engine } from '#db';
import type { Clock } from '#common/clock';
import type { EventSink, InvitationService } from '#invitations';
import { createProviderChannel, type ProviderOutbox } from './channel';
import { createProviderAccountRoutes } from './routes';
import { createProviderSender } from './sender';
import { createProviderAccountService } from './service';
import { createProviderSink } from './sink';
import { createProviderWithdrawer } from './withdrawer';
import type { UnipileConnectorOptions } from './unipile-connector';

export { PROVIDER_TOPIC, type ProviderOutbox } from './channel';
export { WITHDRAW_TOPIC } from './sink';
export { backoffDelay, isRetryableStatus, retryAfterMs } from './backoff';
export type { ConnectorResult, ProviderConnector, ProviderUser } from './connector';
export { providerErrors, type ProviderErrorCode } from './errors';
export { defaultLimits, effectiveLimits, PLANS, PROVIDERS, type Plan, type Provider, type ProviderLimits } from './limits';
export { LOCAL_PROVIDER } from './local';
export { nextSlot, quotaSnapshot, WINDOWS, type HeldSlot, type QuotaSnapshot } from './pacing';
export { baseUrlOf, createUnipileConnector, type UnipileAccount, type UnipileConnectorOptions } from './unipile-connector';

/** What the providers capability needs; `random` (jitter) and `connector` (retry timing) are for tests. */
export interface ProvidersOptions {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly allowPrivateNetwork: boolean;
  readonly random?: () => number;
  readonly connector?: Partial<UnipileConnectorOptions>;
}

/** The providers capability, wired as `createApp` needs it. */
export function createProviders(options: ProvidersOptions) {
  const holder: { invitations?: InvitationService } = {};
  const invitations = () => {
    if (!holder.invitations) throw new Error('providers: attach(invitations) was not called');
    return holder.invitations;
  };
  const accounts = createProviderAccountService(options);
  return {
    accounts,
    sender: createProviderSender(options),
    withdrawer: createProviderWithdrawer({ ...options, invitations }),
    channel: (outbox: ProviderOutbox) => createProviderChannel({ engine: options.engine, outbox, ...(options.random ? { random: options.random } : {}), invitations }),
    /** Withdraws, on revoke, what a provider already has; cancels what still waits. */
    sink: (outbox: ProviderOutbox): EventSink => createProviderSink(outbox),
    attach: (invitations: InvitationService) => {
      holder.invitations = invitations;
    },
    routes: createProviderAccountRoutes(accounts),
  };
}
