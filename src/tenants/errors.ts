import { defineErrors, errorFactory } from '#common/errors';

/** Refusals of tenants, keys, identities and contacts. */
export const tenantErrors = defineErrors({
  tenant_not_found: { status: 404, title: 'No such tenant' },
  api_key_not_found: { status: 404, title: 'No such API key' },
  api_key_in_use: { status: 409, title: 'A key cannot revoke itself' },
  invite_quota_above_own: { status: 403, title: 'A key cannot give a key a larger invitation quota than its own' },
  api_key_own_quota: { status: 403, title: 'A key cannot change its own invitation quota' },
  identity_not_found: { status: 404, title: 'No such identity' },
  identity_handle_taken: { status: 409, title: 'That identity handle is taken' },
  identity_default_cannot_be_disabled: { status: 409, title: 'The default identity cannot be disabled' },
  contact_not_found: { status: 404, title: 'No such contact' },
});

export const tenantError = errorFactory(tenantErrors);
