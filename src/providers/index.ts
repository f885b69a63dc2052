/**
 * Providers: invitations through social networks' APIs (a Unipile-compatible connector), paced
 * by each account's limits through the outbox, and to identities of this server. The front door
 * of the capability.
 */
export { createProviders, type ProvidersOptions } from './providers';
export { PROVIDER_TOPIC, type ProviderOutbox } from './channel';
export { WITHDRAW_TOPIC } from './sink';
export { backoffDelay, isRetryableStatus, retryAfterMs } from './backoff';
export type { ConnectorResult, ProviderConnector, ProviderUser } from './connector';
export { providerErrors, type ProviderErrorCode } from './errors';
export {
  defaultLimits,
  effectiveLimits,
  PLANS,
  PROVIDERS,
  type Plan,
  type Provider,
  type ProviderLimits,
} from './limits';
export { LOCAL_PROVIDER } from './local';
export { nextSlot, quotaSnapshot, WINDOWS, type HeldSlot, type QuotaSnapshot } from './pacing';
export {
  baseUrlOf,
  createUnipileConnector,
  type UnipileAccount,
  type UnipileConnectorOptions,
} from './unipile-connector';
