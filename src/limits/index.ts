/** Limits for anonymous callers: per client address and route group, shared through the database. */
export { createClientLimits, pruneClientLimits, type ClientLimits, type RefusalPage } from './client-limits';
export { createClientAddressOf, trustedProxyList, type ClientAddressOf } from './client-address';
export {
  CLIENT_COUNT_FLUSH_MS,
  createClientCounter,
  type ClientBudget,
  type ClientCounter,
  type ClientDecision,
} from './client-windows';
export { signInLockoutSeconds, FREE_SIGN_IN_FAILURES, type SignInGuard } from './sign-in-guard';
export { DEFAULT_CLIENT_LIMITS, type ClientLimitSettings, type ClientLimitsPerMinute } from './settings';
export { limitErrors } from './errors';
