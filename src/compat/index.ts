/**
 * The seeds' own APIs on Usher: DataTrails, Indicio Proven, TrustTrace and Unipile requests
 * work unmodified, each a thin mapping onto the same services as the native API, so the rules
 * are never implemented twice (the published schemas they follow are in test/fixtures/specs). Any API key of the tenant
 * works in the header
 * each system uses (`Authorization: Bearer`, `x-api-key`, `tnt-subscription-key`).
 */
export { COMPAT_AUTHENTICATED_PREFIXES, createCompatRoutes } from './routes';
export type { CompatDeps } from './deps';
