import { createRouter } from '#http/router';
import type { CompatDeps } from './deps';
import { createDataTrailsRoutes } from './datatrails/index';
import { createProvenRoutes } from './proven/index';
import { createTrustTraceRoutes } from './trusttrace/index';
import { createUnipileRoutes } from './unipile/index';

/**
 * Every compatibility surface, to mount at the root behind API-key authentication (except the public paths each names).
 */
export function createCompatRoutes(deps: CompatDeps) {
  return createRouter()
    .route('/', createDataTrailsRoutes(deps))
    .route('/', createProvenRoutes(deps))
    .route('/', createTrustTraceRoutes(deps))
    .route('/', createUnipileRoutes(deps));
}

/** Path prefixes the compatibility surfaces answer under; all need an API key. */
export const COMPAT_AUTHENTICATED_PREFIXES = ['/archivist/', '/api/v1/'] as const;
