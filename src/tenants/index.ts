/** Tenants, API keys, identities and contacts: the front door of the capability. */
export {
  authenticateApiKey,
  recallApiKey,
  createApiKey,
  findInvitingKey,
  listApiKeys,
  revokeApiKey,
  setKeyInviteQuota,
  type ApiKey,
  type InvitingKey,
  type CreatedApiKey,
  type RightsRequest,
} from './api-keys';
export {
  contactFor,
  createContact,
  deleteContact,
  findContact,
  getContact,
  listContacts,
  normalizeEmail,
  updateContact,
  type Contact,
} from './contacts';
export type { ContactUnlink } from './contacts';
export { didKeyFromPublicKey, publicKeyFromDidKey } from './did-key';
export { tenantErrors } from './errors';
export { consumeRequest, pruneRateLimitWindows, type RateDecision } from './rate-limit';
export {
  createIdentity,
  findIdentity,
  findIdentityByHandle,
  getIdentity,
  getInviter,
  recallInviter,
  listIdentities,
  updateIdentity,
  type Identity,
  type Inviter,
} from './identities';
export { CreateApiKeySchema, CreateContactSchema, CreateIdentitySchema, IdentitySchema } from './schemas';
export { pageUrlSchema, updateTenantSchema, type PageUrlPolicy } from './schemas';
export { defaultSettings, type TenantSettings } from './settings';
export { NO_QUOTA, type InviteQuota, type InviteQuotas } from './invite-quota';
export { fillPlaceholders, SUPPORTED_LOCALES, TemplateOverridesSchema } from './template-overrides';
export type {
  Placeholder,
  SupportedLocale,
  TemplateKind,
  TemplateOverride,
  TemplateOverrides,
} from './template-overrides';
export { countActiveIdentities, findIdentitiesById, findIdentityById } from './identity-reads';
export { lockTenantRow } from './tenant-lock';
export {
  createTenant,
  findTenantByIdOrName,
  getTenant,
  insertTenant,
  isEmptyStore,
  updateTenant,
  type CreatedTenant,
  type Tenant,
} from './tenants';
export { createContactRoutes, type ContactRoutesDeps } from './contact-routes';
export { createIdentityRoutes } from './identity-routes';
export { createTenantRoutes, type TenantRoutesDeps } from './routes';
