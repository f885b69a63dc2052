/** Acceptance tokens: the signed JWT a host application gets when an invitation is accepted, and the keys behind it. */
export {
  DEFAULT_ACCEPTANCE_TOKEN_TTL_SECONDS,
  issueAcceptanceToken,
  type AcceptanceClaims,
  type AcceptanceTokenInput,
  type IssuedAcceptanceToken,
} from './acceptance-token';
export { createJwksRoutes, createSigningKeyRoutes, type AcceptanceRoutesDeps } from './routes';
export { JwksSchema, PublicJwkSchema, SigningKeySchema } from './schemas';
export { signTenantJwt } from './tenant-jwt';
export {
  RETIRED_KEY_PUBLISHED_MS,
  getActiveSigningKey,
  recallActiveSigningKey,
  listSigningKeys,
  publicJwks,
  rotateSigningKey,
  type ActiveSigningKey,
  type PublicJwk,
  type SigningKey,
  type SigningKeyStatus,
} from './signing-keys';
